/**
 * The GRU kernel: gates [z, r, n]. Reset after, it is emitted whole as a
 * CompiledCell on literal code; reset before, n waits for r * h, so the
 * projection has two stages and stays a GruProjection on every path.
 */
import type { GruLayer } from "../../model/canonical.ts"
import { arrayBytes, literalArrayBytes } from "../heap.ts"
import { specializedGru } from "../specialized.ts"
import { unrolledGru } from "../unrolled.ts"
import type { ModuleWriter } from "../writer.ts"
import type { LayerPlan } from "../plan.ts"
import { ACT, type Kernel, cellHeap, flashAffine, gridArg, gridHeap, layerHeap, layerPlan, recurrentShape, wholeCell } from "./common.ts"

/** The GruProjection of a layer that is not emitted whole. */
function projection(plan: LayerPlan<GruLayer>, w: ModuleWriter, i: number): string {
    const l = plan.layer
    const p = `L${i}_`
    const name = `L${i}Proj`
    if (plan.path === "literal-code") {
        w.decls.push(specializedGru(name, l, w.encoding))
        return `new ${name}()`
    }
    if (plan.path === "unrolled-flash") {
        const a = { wx: w.flashMatrix(p + "WX", l.Wx).ref, wh: w.flashMatrix(p + "WH", l.Wh).ref, bx: w.bias(p + "BX", l.bx), bh: w.bias(p + "BH", l.bh) }
        w.decls.push(unrolledGru(name, a, l.resetAfter))
        return `new ${name}()`
    }
    return `new GruAffine(${flashAffine(l, w, p)}, ${l.resetAfter})`
}

export const gruKernel: Kernel<GruLayer> = {
    plan(l, encoding, path) {
        const u = l.units
        const { whole, locals } = recurrentShape(l, path)
        const stages = l.resetAfter ? 1 : 2
        return layerPlan(l, encoding, path, {
            whole,
            stages,
            // reset before: two loops in stage 0 and W_h again in stage 1
            columns: stages * (l.inputSize + u),
            locals,
            // Gru: out, gx, gh (n rows only when reset before) and the state list [out]
            heap: bits => (whole ? cellHeap(u, false) : layerHeap(l, path, stages, arrayBytes(u) + arrayBytes(3 * u) + arrayBytes(l.resetAfter ? 3 * u : u) + literalArrayBytes(1) + gridHeap(u, bits))),
        })
    },
    emit(plan, w, i) {
        const l = plan.layer
        if (plan.whole) return wholeCell(plan, w, i)
        return `new Gru(${l.inputSize}, ${l.units}, ${projection(plan, w, i)}, ${ACT[l.activation]}, ${ACT[l.recurrentActivation]}, ${l.resetAfter}${gridArg(plan.hiddenBits)})`
    },
}
