/**
 * VM opcodes of one Model.step of the code dsrnn emits, so that the compiler
 * can tell the device (Model's `stepOpcodes`) and the board budget whether a
 * step fits one watchdog slice. The coefficients are real opcodes, counted
 * with the watchdog (tools/src/run/opcodes.ts) on LSTM(8..40) + Dense(1):
 * a least-squares fit of opcodes = a * multiply-adds + b * activated numbers
 * + c is within 8 opcodes of every measurement. tools/test/emit/cost.test.ts
 * checks the estimate against new counts.
 */
import type { CanonicalModel, Layer } from "../model/canonical.ts"
import { gateCount, layerMacs } from "../model/canonical.ts"
import type { LayerPath } from "./paths.ts"

interface PathCost {
    perMac: number
    /** Per number through an activation, with its share of the element-wise updates and row set-up. */
    perActivated: number
    /** The GRU's instead: two sums per row and three update loops (counted: GRU(8) flash 11,622, GRU(16) specialised 8,099). */
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
    specialized: { perMac: 4, perActivated: 50, gruPerActivated: 85 },
    flash: { perMac: 22, perActivated: 141, gruPerActivated: 225 },
    unrolled: { perMac: 9.2, perActivated: 80, gruPerActivated: 125 },
}
/** Per step: the call, checkIo, the output copy and what the fit above leaves (LSTM(8) flash: 715 more than the layers alone). */
const FIXED_OPCODES = 600
/** Headroom over the fit for what it does not see (other encodings, layer mixes). */
const MARGIN = 1.1

/** Numbers a layer puts through an activation per step (LSTM: four gates and tanh(c)). */
function activated(l: Layer): number {
    if (l.type === "dense") return l.units
    return (gateCount(l) + (l.type === "lstm" ? 1 : 0)) * l.units
}

/** Opcodes of one step; `path(l, i)` says which code each layer has (true: literal code, false: flash matrices). */
export function stepOpcodes(model: CanonicalModel, path: (l: Layer, i: number) => boolean | LayerPath): number {
    const sum = model.layers.reduce((n, l, i) => {
        const p = path(l, i)
        const c = OPCODE_COST[p === true ? "specialized" : p === false ? "flash" : p]
        return n + c.perMac * layerMacs(l) + (l.type === "gru" ? c.gruPerActivated : c.perActivated) * activated(l)
    }, FIXED_OPCODES)
    return Math.ceil(MARGIN * sum)
}
