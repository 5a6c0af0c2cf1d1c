/** The Elman RNN kernel: one row per unit; emitted whole as a CompiledCell on literal code. */
import type { RnnLayer } from "../../model/canonical.ts"
import { hasCellCode, specializedCell } from "../cell.ts"
import { arrayBytes, literalArrayBytes } from "../heap.ts"
import { ACT, CELL_TEMPORARIES, type Kernel, affine, cellHeap, gridArg, gridHeap, layerObjectBytes, layerPlan } from "./common.ts"

export const rnnKernel: Kernel<RnnLayer> = {
    plan(l, encoding, path) {
        const u = l.units
        const cell = hasCellCode(l)
        const whole = path === "literal-code" && cell
        return layerPlan(l, encoding, path, {
            whole,
            stages: 1,
            columns: l.inputSize + u,
            locals: l.inputSize + (cell ? u + CELL_TEMPORARIES : 2 * u),
            // Rnn: out, pre and the state list [out]
            heap: bits => (whole ? cellHeap(u, false) : layerObjectBytes(l, 1) + 2 * arrayBytes(u) + literalArrayBytes(1) + gridHeap(u, bits)),
        })
    },
    emit(plan, w, i) {
        const l = plan.layer
        if (plan.whole) {
            const cell = specializedCell(`L${i}Cell`, l, w.encoding, plan.hiddenBits)
            w.decls.push(cell.code)
            return cell.layer
        }
        return `new Rnn(${l.inputSize}, ${l.units}, ${affine(plan, w, i)}, ${ACT[l.activation]}${gridArg(plan.hiddenBits)})`
    },
}
