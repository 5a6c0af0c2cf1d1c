/** The dense kernel: out = act(W x + b), no state. */
import type { DenseLayer } from "../../model/canonical.ts"
import { arrayBytes, literalArrayBytes } from "../heap.ts"
import { ACT, type Kernel, affine, layerHeap, layerPlan } from "./common.ts"

export const denseKernel: Kernel<DenseLayer> = {
    plan(l, encoding, path) {
        return layerPlan(l, encoding, path, {
            whole: false,
            stages: 1,
            columns: l.inputSize,
            locals: l.inputSize,
            // Dense: out and the empty state list
            heap: () => layerHeap(l, path, 1, arrayBytes(l.units) + literalArrayBytes(0)),
        })
    },
    emit(plan, w, i) {
        const l = plan.layer
        return `new Dense(${l.inputSize}, ${l.units}, ${affine(plan, w, i)}, ${ACT[l.activation]})`
    },
}
