/**
 * VM opcodes of one Model.step of the code dsrnn emits, so that the compiler
 * can tell the device (Model's `stepOpcodes`) and the board budget whether a
 * step fits one watchdog slice. The coefficients are real opcodes, counted
 * with the watchdog (tools/src/run/opcodes.ts), per path: opcodes = a *
 * multiply-adds + b * activated numbers + c, fit to LSTM, GRU and RNN
 * counts. tools/test/emit/cost.test.ts checks the estimate against new
 * counts (between 1.0x and 1.3x of them).
 */
import type { Layer } from "../model/canonical.ts"
import { gateCount, layerMacs } from "../model/canonical.ts"
import type { LayerPath } from "./plan.ts"

interface PathCost {
    perMac: number
    /** Per number through an activation, with its share of the element-wise updates and row set-up. */
    perActivated: number
    /** The GRU's instead: two sums per row and three update loops (counted: GRU(8) flash 11,622; GRU(12) reset before, specialised, 4,966). */
    gruPerActivated: number
}

/**
 * Specialised code: CONST, LOAD, MUL, ADD per multiply-add (fit: 3.99), 50 per
 * activated number (Math.pow and its arithmetic). Flash matrices: a Buffer
 * read inside a loop (fit: 22.0), 140 per activated number with the
 * per-row loop set-up. Unrolled flash code (tools/src/emit/unrolled.ts): a
 * Buffer read at a constant offset, without the loop (fit to LSTM(16) and
 * LSTM(32) i8, counted 18,044 and 54,028: 9.1), 77 per activated number with
 * its row's set-up; a GRU 101 (reset before, GRU(16) i16: 14,066) to 123
 * (reset after: 15,132).
 */
export const OPCODE_COST: Record<LayerPath, PathCost> = {
    "literal-code": { perMac: 4, perActivated: 50, gruPerActivated: 60 },
    "flash-matrices": { perMac: 22, perActivated: 141, gruPerActivated: 225 },
    "unrolled-flash": { perMac: 9.2, perActivated: 80, gruPerActivated: 125 },
}
/**
 * A recurrent layer emitted whole as straight-line code (CompiledCell),
 * counted on LSTM(8..40), GRU(16, 32), RNN(16): 4 opcodes per multiply-add
 * on x; on h 2.1 when an i8 layer sums two rows at once (the split of each
 * pair included), else 4; per gate value its activation and its share of
 * the state update (a GRU's h' = z h + (1 - z) n costs more).
 */
export const CELL_OPCODE_COST = { perMacX: 4, perMacHPaired: 2.1, perMacH: 4, perActivated: 22, gruPerActivated: 26 }

/** Per step: the call, checkIo, the output copy and what the fit above leaves (LSTM(8) flash: 715 more than the layers alone). */
const FIXED_OPCODES = 600
/** Headroom over the fit for what it does not see (other encodings, layer mixes). */
const MARGIN = 1.1

/** Numbers a layer puts through an activation per step (LSTM: four gates and tanh(c)). */
function activated(l: Layer): number {
    if (l.type === "dense") return l.units
    return (gateCount(l) + (l.type === "lstm" ? 1 : 0)) * l.units
}

/** Opcodes of one layer's step on `path`; `whole` when it is one CompiledCell, whose W_h sums go two rows at a time with a grid (`hiddenBits`). */
export function layerOpcodes(l: Layer, path: LayerPath, whole: boolean, hiddenBits: number): number {
    if (whole && l.type !== "dense") {
        const c = CELL_OPCODE_COST
        const rows = gateCount(l) * l.units
        const perMacH = hiddenBits ? c.perMacHPaired : c.perMacH
        return c.perMacX * rows * l.inputSize + perMacH * rows * l.units + (l.type === "gru" ? c.gruPerActivated : c.perActivated) * activated(l)
    }
    const c = OPCODE_COST[path]
    return c.perMac * layerMacs(l) + (l.type === "gru" ? c.gruPerActivated : c.perActivated) * activated(l)
}

/** Opcodes of one step of a model whose layers take these (layerOpcodes), with the fixed cost and the margin. */
export function modelOpcodes(layers: number[]): number {
    return Math.ceil(MARGIN * layers.reduce((n, o) => n + o, FIXED_OPCODES))
}
