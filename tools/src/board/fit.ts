/**
 * Does a model fit a board at a sample period? The image, heap and slice
 * check is the one `dsrnn build` makes (boardPlan: the fastest code that
 * fits); the step time is the step's opcode estimate at a speed figure for
 * the board's chip. Made before any training, on a model of the right shape
 * (--arch auto), so it must not depend on trained weights more than an
 * estimate does.
 */
import type { CanonicalModel } from "../model/canonical.ts"
import { UserError } from "../core/errors.ts"
import type { Encoding } from "../model/quantize.ts"
import { boardPlan } from "./app-build.ts"
import type { BoardProfile } from "./boards.ts"

/**
 * VM opcodes per second, per chip (BoardProfile.arch): an ESTIMATE until the
 * emulated Pico bench (issue 19) measures our own steps. RP2040 at 125 MHz:
 * 125e6 / 591, the slowest cycles per opcode measured on the emulated Pico
 * firmware (docs/platform.md: 375 for flash-matrix LSTM code, 591
 * for the LSTM emitted whole; flash cache misses not modelled). No ESP32
 * figure has been measured, so their step time is not checked.
 */
export const OPCODES_PER_SECOND: Readonly<Record<string, number>> = { rp2040: 125e6 / 591, rp2040w: 125e6 / 591 }

export interface BoardFit {
    /** Why the model does not fit, in one line; undefined when it fits. */
    why?: string
    /** Estimated milliseconds per step; undefined when the board has no speed figure. */
    stepMs?: number
}

/** One step's estimated time on the board, or undefined without a speed figure for its chip. */
export function stepMs(stepOpcodes: number, board: BoardProfile): number | undefined {
    const speed = OPCODES_PER_SECOND[board.arch]
    return speed === undefined ? undefined : (1000 * stepOpcodes) / speed
}

const n = (v: number) => v.toLocaleString("en-US")

/** Checks image, heap and slice as `dsrnn build` does, then that a step (estimated) ends within `periodMs`. */
export function boardFit(model: CanonicalModel, encoding: Encoding, board: BoardProfile, periodMs: number): BoardFit {
    let opcodes: number
    try {
        opcodes = boardPlan(model, board, { encoding }).budget.stepOpcodes
    } catch (e) {
        if (!(e instanceof UserError)) throw e
        return { why: e.message }
    }
    const ms = stepMs(opcodes, board)
    if (ms !== undefined && ms > periodMs) return { stepMs: ms, why: `a step takes ~${n(Math.ceil(ms))} ms (${n(opcodes)} opcodes, estimated), more than the ${n(periodMs)} ms period` }
    return { stepMs: ms }
}
