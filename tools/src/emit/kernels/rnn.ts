/** The Elman RNN kernel: one row per unit; emitted whole as a CompiledCell on literal code. */
import type { RnnLayer } from "../../model/canonical.ts"
import { arrayBytes, literalArrayBytes } from "../heap.ts"
import { ACT, type Kernel, affine, cellHeap, gridArg, gridHeap, layerHeap, layerPlan, recurrentShape, wholeCell } from "./common.ts"

export const rnnKernel: Kernel<RnnLayer> = {
    plan(l, encoding, path) {
        const u = l.units
        const { whole, locals } = recurrentShape(l, path)
        return layerPlan(l, encoding, path, {
            whole,
            stages: 1,
            columns: l.inputSize + u,
            locals,
            // Rnn: out, pre and the state list [out]
            heap: bits => (whole ? cellHeap(u, false) : layerHeap(l, path, 1, 2 * arrayBytes(u) + literalArrayBytes(1) + gridHeap(u, bits))),
        })
    },
    emit(plan, w, i) {
        const l = plan.layer
        if (plan.whole) return wholeCell(plan, w, i)
        return `new Rnn(${l.inputSize}, ${l.units}, ${affine(plan, w, i)}, ${ACT[l.activation]}${gridArg(plan.hiddenBits)})`
    },
}
