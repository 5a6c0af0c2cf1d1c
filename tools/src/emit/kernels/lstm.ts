/** The LSTM kernel: four gates per unit, the cell state c; emitted whole as a CompiledCell on literal code. */
import type { LstmLayer } from "../../model/canonical.ts"
import { arrayBytes, literalArrayBytes } from "../heap.ts"
import { ACT, type Kernel, affine, cellHeap, gridArg, gridHeap, layerHeap, layerPlan, recurrentShape, wholeCell } from "./common.ts"

export const lstmKernel: Kernel<LstmLayer> = {
    plan(l, encoding, path) {
        const u = l.units
        const { whole, locals } = recurrentShape(l, path)
        return layerPlan(l, encoding, path, {
            whole,
            stages: 1,
            columns: l.inputSize + u,
            locals,
            // Lstm: out, c, actC, the gates g and the state list [out, c]
            heap: bits => (whole ? cellHeap(u, true) : layerHeap(l, path, 1, 3 * arrayBytes(u) + arrayBytes(4 * u) + literalArrayBytes(2) + gridHeap(u, bits))),
        })
    },
    emit(plan, w, i) {
        const l = plan.layer
        if (plan.whole) return wholeCell(plan, w, i)
        return `new Lstm(${l.inputSize}, ${l.units}, ${affine(plan, w, i)}, ${ACT[l.activation]}, ${ACT[l.recurrentActivation]}${gridArg(plan.hiddenBits)})`
    },
}
