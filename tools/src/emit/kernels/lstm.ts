/** The LSTM kernel: four gates per unit, the cell state c; emitted whole as a CompiledCell on literal code. */
import type { LstmLayer } from "../../model/canonical.ts"
import { hasCellCode, specializedCell } from "../cell.ts"
import { arrayBytes, literalArrayBytes } from "../heap.ts"
import { ACT, CELL_TEMPORARIES, type Kernel, affine, cellHeap, gridArg, gridHeap, layerObjectBytes, layerPlan } from "./common.ts"

export const lstmKernel: Kernel<LstmLayer> = {
    plan(l, encoding, path) {
        const u = l.units
        const cell = hasCellCode(l)
        const whole = path === "literal-code" && cell
        return layerPlan(l, encoding, path, {
            whole,
            stages: 1,
            columns: l.inputSize + u,
            locals: l.inputSize + (cell ? u + CELL_TEMPORARIES : 2 * u),
            // Lstm: out, c, actC, the gates g and the state list [out, c]
            heap: bits => (whole ? cellHeap(u, true) : layerObjectBytes(l, 1) + 3 * arrayBytes(u) + arrayBytes(4 * u) + literalArrayBytes(2) + gridHeap(u, bits)),
        })
    },
    emit(plan, w, i) {
        const l = plan.layer
        if (plan.whole) {
            const cell = specializedCell(`L${i}Cell`, l, w.encoding, plan.hiddenBits)
            w.decls.push(cell.code)
            return cell.layer
        }
        return `new Lstm(${l.inputSize}, ${l.units}, ${affine(plan, w, i)}, ${ACT[l.activation]}, ${ACT[l.recurrentActivation]}${gridArg(plan.hiddenBits)})`
    },
}
