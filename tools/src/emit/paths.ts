/**
 * Which code each layer's affine part gets. Three paths, fastest first:
 * specialised (literal weights, 2 to 4 opcodes per multiply-add, ~8 B of image
 * each, bounded by the VM's 64 KB of bytecode), unrolled flash (weights in
 * flash, a row loop with unrolled columns, ~9 opcodes, code per column) and
 * flash matrices (matVec, 22 opcodes, no code per layer). A model can mix
 * them: the largest layers that fit the bytecode budget are specialised and
 * the rest read their weights from flash.
 */
import { type CanonicalModel, type Layer, layerMacs } from "../model/canonical.ts"
import type { Encoding } from "../model/quantize.ts"
import { SPECIALIZED_BYTES_PER_MAC, SPECIALIZED_MAX_MACS, type SpecializeMode } from "./specialized.ts"
import { hasCellCode } from "./cell.ts"

export type LayerPath = "specialized" | "unrolled" | "flash"

/** A path per layer, or one for the whole model: true = specialised, false = flash matrices. */
export type CodePlan = boolean | LayerPath[]

export type UnrollMode = "auto" | "on" | "off"

export function layerPath(plan: CodePlan | undefined, i: number): LayerPath {
    if (Array.isArray(plan)) return plan[i]
    return plan ? "specialized" : "flash"
}

/** Columns a layer's unrolled code spells out (a reset-before GRU has two loops in stage 0 and W_h again in stage 1). */
export function unrolledColumns(l: Layer): number {
    if (l.type === "dense") return l.inputSize
    return (l.type === "gru" && !l.resetAfter ? 2 : 1) * (l.inputSize + l.units)
}

/**
 * Specialised code keeps every column of x and h in a local (a reset-before
 * GRU also r * h), and devs 2.16.4 fails an assertion past about 148 locals
 * per function (measured: a specialised Dense(210 -> 1) does not build).
 */
const SPECIALIZED_MAX_LOCALS = 140

/** A whole cell (cell.ts) also keeps up to 8 temporaries: the two-row sums and the gate values. */
const CELL_TEMPORARIES = 8

function specializedLocals(l: Layer): number {
    if (l.type === "dense") return l.inputSize
    const whole: boolean = hasCellCode(l)
    return l.inputSize + (whole ? l.units + CELL_TEMPORARIES : 2 * l.units)
}

/**
 * Bytecode of unrolled code, in specialised multiply-adds: a column is about
 * 13 B (LOAD, LITERAL, LOAD, LITERAL, ADD, LOAD_BUFFER, LOAD, MUL, ADD and the
 * local's load), a specialised multiply-add about 6.5 B.
 */
const UNROLLED_COLUMN_MACS = 2

/**
 * The path of every layer. `specialize` "on" and "off" are whole-model
 * choices, as before; "auto" specialises the layers with the most
 * multiply-adds first while their sum stays within SPECIALIZED_MAX_MACS and
 * their image within `imageBudget`, and no layer needs more locals than the
 * compiler allows. The layers left over are unrolled
 * unless `unroll` is "off" (then flash matrices); their code counts against
 * the same bytecode budget.
 */
export function planPaths(model: CanonicalModel, encoding: Encoding, specialize: SpecializeMode, unroll: UnrollMode = "auto", imageBudget = 80_000): LayerPath[] {
    const rest: LayerPath = unroll === "off" ? "flash" : "unrolled"
    if (specialize !== "auto") return model.layers.map(() => (specialize === "on" ? "specialized" : rest))
    const paths: LayerPath[] = model.layers.map(() => rest)
    const codeMacs = (l: Layer) => (rest === "unrolled" ? UNROLLED_COLUMN_MACS * unrolledColumns(l) : 0)
    let bytecode = model.layers.reduce((s, l) => s + codeMacs(l), 0)
    let image = 0
    const bySize = model.layers.map((l, i) => i).sort((a, b) => layerMacs(model.layers[b]) - layerMacs(model.layers[a]))
    for (const i of bySize) {
        const l = model.layers[i]
        const macs = layerMacs(l)
        const bytes = macs * SPECIALIZED_BYTES_PER_MAC[encoding]
        if (bytecode - codeMacs(l) + macs > SPECIALIZED_MAX_MACS || image + bytes > imageBudget || specializedLocals(l) > SPECIALIZED_MAX_LOCALS) continue
        paths[i] = "specialized"
        bytecode += macs - codeMacs(l)
        image += bytes
    }
    return paths
}

const NAMES: Record<LayerPath, string> = { specialized: "specialised", unrolled: "unrolled flash", flash: "flash matrices" }

/** "specialised" when every layer has one path, else "lstm(64) unrolled flash, dense(1) specialised". */
export function describePlan(model: CanonicalModel, plan: CodePlan): string {
    const paths = model.layers.map((_, i) => layerPath(plan, i))
    if (paths.every(p => p === paths[0])) return NAMES[paths[0]]
    return model.layers.map((l, i) => `${l.type}(${l.units}) ${NAMES[paths[i]]}`).join(", ")
}

/** true or false when every layer is specialised or every layer flash matrices, else the paths. */
export function simplifyPlan(paths: LayerPath[]): CodePlan {
    if (paths.every(p => p === "specialized")) return true
    if (paths.every(p => p === "flash")) return false
    return paths
}
