/**
 * The prepare step: everything the later stages need to know about the code
 * a model gets, worked out once. Each layer kind's kernel (kernels/*.ts) says,
 * for a layer, an encoding and a path, its LayerPlan; choosePlan picks the
 * paths. emit, cost, the board budget, bench, simulate and report read the
 * ModelPlan and work nothing out again (TFLite Micro's prepare/eval split).
 *
 * Three paths, fastest first: literal code (weights as literals, 2 to 4
 * opcodes per multiply-add, ~8 B of image each, bounded by the VM's 64 KB of
 * bytecode), unrolled flash (weights in flash, a row loop with unrolled
 * columns, ~9 opcodes, code per column) and flash matrices (matVec, 22
 * opcodes, no code per layer). A model can mix them: the largest layers that
 * fit the bytecode budget get literal code and the rest read their weights
 * from flash.
 */
import { type CanonicalModel, type Layer, layerMacs, macsPerStep } from "../model/canonical.ts"
import { UserError } from "../core/errors.ts"
import { deviceFeatures, seasonRingSize, statisticalRingSize } from "../model/features.ts"
import type { Encoding } from "../model/quantize.ts"
import { modelOpcodes } from "./cost.ts"
import { LITERAL_SHAPES } from "./device-classes.g.ts"
import { type DeviceClass, LIBRARY_CLASSES, arrayBytes, classBytes, literalArrayBytes, objectBytes } from "./heap.ts"
import { LITERAL_MAX_LOCALS, type Kernel } from "./kernels/common.ts"
import { denseKernel } from "./kernels/dense.ts"
import { gruKernel } from "./kernels/gru.ts"
import { lstmKernel } from "./kernels/lstm.ts"
import { rnnKernel } from "./kernels/rnn.ts"
import { SPECIALIZED_MAX_MACS } from "./specialized.ts"

export type LayerPath = "literal-code" | "unrolled-flash" | "flash-matrices"

export interface LayerPlan<L extends Layer = Layer> {
    layer: L
    path: LayerPath
    /** The whole step is one CompiledCell (literal code of a layer with CellCode, cell.ts). */
    whole: boolean
    /** The grid of the h that W_h multiplies (quantize.ts hiddenBits; 0: none). */
    hiddenBits: number
    /** Affine stages per step (2 for a reset-before GRU). */
    stages: number
    /** Columns the layer's unrolled code spells out. */
    columns: number
    /** Locals the layer's literal code keeps, which the compiler bounds (LITERAL_MAX_LOCALS). */
    locals: number
    /** VM opcodes of one step of the layer on this path, before the model's fixed cost and margin (cost.ts). */
    opcodes: number
    /** Image bytes of the layer's weights and code. */
    image: number
    /** Heap bytes of the objects and arrays src/ allocates for the layer. */
    heap: number
    /** The classes of those objects; the model pays each one's prototype once (heap.ts classBytes). */
    classes: DeviceClass[]
}

export interface ModelPlan {
    model: CanonicalModel
    encoding: Encoding
    layers: LayerPlan[]
    /** VM opcodes of one Model.step (cost.ts), as the emitted module tells the device. */
    opcodes: number
    /** Image bytes of the model: its layers' weights and code. */
    image: number
    /**
     * Heap bytes of the model as a program holds it: what the emitted module
     * allocates (the Model and its layers, the derived inputs' state, the
     * scaling object, not its lists: assemble), a Forecaster on it, and the
     * prototypes of their classes.
     */
    heap: number
    /** The classes whose prototypes `heap` counts; two models in one program share the library's (heap.ts classBytes). */
    classes: DeviceClass[]
}

const KERNELS: { [T in Layer["type"]]: Kernel<Extract<Layer, { type: T }>> } = { lstm: lstmKernel, gru: gruKernel, rnn: rnnKernel, dense: denseKernel }

export function kernelOf<L extends Layer>(l: L): Kernel<L> {
    return KERNELS[l.type] as unknown as Kernel<L>
}

/** The LayerPlan of `l` on `path`. */
export function planLayer(l: Layer, encoding: Encoding, path: LayerPath): LayerPlan {
    return kernelOf(l).plan(l, encoding, path)
}

/** The plan with these paths: one for every layer, or one per layer. */
export function planModel(model: CanonicalModel, encoding: Encoding, paths: LayerPath | LayerPath[]): ModelPlan {
    return assemble(model, encoding, model.layers.map((l, i) => planLayer(l, encoding, typeof paths === "string" ? paths : paths[i])))
}

/** Every layer's plan on every path, so that choosing among them plans each layer once per path. */
type LayerOptions = Record<LayerPath, LayerPlan[]>

function layerOptions(model: CanonicalModel, encoding: Encoding): LayerOptions {
    const on = (path: LayerPath) => model.layers.map(l => planLayer(l, encoding, path))
    return { "literal-code": on("literal-code"), "unrolled-flash": on("unrolled-flash"), "flash-matrices": on("flash-matrices") }
}

/** The Forecaster's derived-input state the module creates (src/features.ts Derivation: its config literal, the previous readings and the season rings; the Arima) and the classes it takes. */
function derivedHeap(model: CanonicalModel): { bytes: number; classes: DeviceClass[] } {
    const f = deviceFeatures(model)
    if (!f) return { bytes: 0, classes: [] }
    const { Arima, Derivation } = LIBRARY_CLASSES
    const lists = [f.change, f.season, f.seasonChange, f.cycleMs, f.cycleOffsetMs].reduce((s, v) => s + (v ? literalArrayBytes(v.length) : 0), 0)
    const a = f.statistical
    // the Arima (src/arima.ts): its four lists, two rings of its deepest lag + 1 and horizon + 1 scratch values
    const arima = a ? objectBytes(Arima.fields) + [a.arLags, a.ar, a.maLags, a.ma].reduce((s, v) => s + literalArrayBytes(v.length), 0) + 2 * arrayBytes(statisticalRingSize(model)) + arrayBytes(a.horizon + 1) : 0
    // the config literal (a DerivedInputs): every field, statistical only with the ARIMA input (emit.ts)
    const config = objectBytes(LITERAL_SHAPES.DerivedInputs.fields - (a ? 0 : 1))
    const bytes = objectBytes(Derivation.fields) + config + lists + arrayBytes(f.change?.length ?? 0) + arrayBytes((f.season?.length ?? 0) * seasonRingSize(model)) + arima
    return { bytes, classes: a ? [Derivation, Arima] : [Derivation] }
}

/** The Forecaster on the model (src/forecaster.ts), which the app, predict(), anomaly() and simulate each make: its x, y, lower and upper. */
function forecasterHeap(model: CanonicalModel): number {
    return objectBytes(LIBRARY_CLASSES.Forecaster.fields) + arrayBytes(model.inputSize) + 3 * arrayBytes(model.outputSize)
}

function assemble(model: CanonicalModel, encoding: Encoding, layers: LayerPlan[]): ModelPlan {
    const derived = derivedHeap(model)
    const classes = [...new Set([LIBRARY_CLASSES.Model, LIBRARY_CLASSES.Forecaster, ...derived.classes, ...layers.flatMap(l => l.classes)])]
    // Model and its layer list; the Forecaster; the derived inputs' state; scaling; each class once. Not the
    // scaling's lists (normalization, residual, interval: 20 B + 8 per value, 100-350 B for the committed
    // models), which training adds: so the shape --arch auto checks before training costs what the trained
    // model does (train/arch-search.ts shapeModel); APP_HEAP_BYTES's headroom holds them.
    const own = objectBytes(LIBRARY_CLASSES.Model.fields) + literalArrayBytes(model.layers.length) + forecasterHeap(model) + derived.bytes + objectBytes(LITERAL_SHAPES.Scaling.fields)
    return {
        model,
        encoding,
        layers,
        opcodes: modelOpcodes(layers.map(l => l.opcodes)),
        image: layers.reduce((s, l) => s + l.image, 0),
        heap: own + layers.reduce((s, l) => s + l.heap, 0) + classes.reduce((s, c) => s + classBytes(c.methods), 0),
        classes,
    }
}

const NAMES: Record<LayerPath, string> = { "literal-code": "specialised", "unrolled-flash": "unrolled flash", "flash-matrices": "flash matrices" }

/** "specialised" when every layer has one path, else "lstm(64) unrolled flash, dense(1) specialised". */
export function describePlan(plan: ModelPlan): string {
    const paths = plan.layers.map(l => l.path)
    if (paths.every(p => p === paths[0])) return NAMES[paths[0]]
    return plan.layers.map(l => `${l.layer.type}(${l.layer.units}) ${NAMES[l.path]}`).join(", ")
}

/** --specialize: literal code when it fits (auto), always (on) or never (off). */
export type SpecializeMode = "auto" | "on" | "off"
/** --unroll: layers without literal code as unrolled flash code when it fits (auto), always (on) or never (off: flash matrices). */
export type UnrollMode = "auto" | "on" | "off"

export interface PlanFlags {
    specialize?: SpecializeMode
    unroll?: UnrollMode
}

/**
 * Bytecode of unrolled code, in literal multiply-adds: a column is about
 * 13 B (LOAD, LITERAL, LOAD, LITERAL, ADD, LOAD_BUFFER, LOAD, MUL, ADD and the
 * local's load), a literal multiply-add about 6.5 B.
 */
const UNROLLED_COLUMN_MACS = 2

/** Image bytes literal code may take when no board says (compile, simulate, bench). */
const DEFAULT_LITERAL_IMAGE = 80_000

/**
 * The path of every layer. `specialize` "on" and "off" are whole-model
 * choices; "auto" gives literal code to the layers with the most
 * multiply-adds first while their sum stays within SPECIALIZED_MAX_MACS and
 * their image within `imageBudget`, and no layer needs more locals than the
 * compiler allows. The layers left over are unrolled unless `unroll` is
 * "off" (then flash matrices); their code counts against the same bytecode
 * budget. choosePlan is its one caller outside tests.
 */
export function planPaths(model: CanonicalModel, encoding: Encoding, specialize: SpecializeMode, unroll: UnrollMode = "auto", imageBudget = DEFAULT_LITERAL_IMAGE): LayerPath[] {
    return splitPaths(model, layerOptions(model, encoding), specialize, unroll, imageBudget)
}

function splitPaths(model: CanonicalModel, options: LayerOptions, specialize: SpecializeMode, unroll: UnrollMode, imageBudget: number): LayerPath[] {
    const rest: LayerPath = unroll === "off" ? "flash-matrices" : "unrolled-flash"
    if (specialize !== "auto") return model.layers.map(() => (specialize === "on" ? "literal-code" : rest))
    const paths: LayerPath[] = model.layers.map(() => rest)
    const codeMacs = (i: number) => (rest === "unrolled-flash" ? UNROLLED_COLUMN_MACS * options[rest][i].columns : 0)
    let bytecode = model.layers.reduce((s, _, i) => s + codeMacs(i), 0)
    let image = 0
    const bySize = model.layers.map((l, i) => i).sort((a, b) => layerMacs(model.layers[b]) - layerMacs(model.layers[a]))
    for (const i of bySize) {
        const macs = layerMacs(model.layers[i])
        const literal = options["literal-code"][i]
        if (bytecode - codeMacs(i) + macs > SPECIALIZED_MAX_MACS || image + literal.image > imageBudget || literal.locals > LITERAL_MAX_LOCALS) continue
        paths[i] = "literal-code"
        bytecode += macs - codeMacs(i)
        image += literal.image
    }
    return paths
}

/** What a plan must fit on a board (board/budget.ts boardBudget). */
export interface PlanBudget {
    /** The board's image bytes. */
    imageBytes: number
    /** What the app's own code takes of them. */
    appImageBytes: number
    /** Throws a UserError naming the first budget the app with this plan exceeds. */
    check(plan: ModelPlan): void
}

export interface PlanChoice {
    plan: ModelPlan
    /** Why these paths: what was tried first and did not fit. */
    why: string
    /** What to deploy when the real build of `plan` turns out too large: flash matrices, or null when the flags rule them out. */
    fallback: ModelPlan | null
}

const n = (v: number) => v.toLocaleString("en-US")

/**
 * The one choice of paths. Without a budget (compile, simulate, bench,
 * evaluate): planPaths for the flags. With a board's budget (build, deploy,
 * report): the fastest code that fits the board: literal code for the whole
 * model (about 4x faster than flash matrices) when its estimate fits every
 * budget; else the largest layers that fit the bytecode as literal code and
 * the rest unrolled flash (about 2x faster than flash matrices); else without
 * the literal layers, then flash matrices under them, then flash matrices
 * alone. Throws the last budget error when no code allowed by the flags fits.
 */
export function choosePlan(model: CanonicalModel, encoding: Encoding, budget: PlanBudget | undefined, flags: PlanFlags = {}): PlanChoice {
    const mode = flags.specialize ?? "auto"
    const unroll = flags.unroll ?? "auto"
    const options = layerOptions(model, encoding)
    const withPaths = (paths: LayerPath[]) => assemble(model, encoding, paths.map((p, i) => options[p][i]))
    const flash = withPaths(model.layers.map(() => "flash-matrices"))
    const fallback = (plan: ModelPlan) => (mode === "on" || unroll === "on" || plan.layers.every(l => l.path === "flash-matrices") ? null : flash)
    const chosen = (plan: ModelPlan, why: string): PlanChoice => ({ plan, why, fallback: fallback(plan) })
    if (!budget) {
        const plan = withPaths(splitPaths(model, options, mode, unroll, DEFAULT_LITERAL_IMAGE))
        return chosen(plan, describePlan(plan))
    }
    const reasons: string[] = []
    const macs = macsPerStep(model)
    if (mode === "off") reasons.push("--specialize off")
    else if (mode === "auto" && macs > SPECIALIZED_MAX_MACS)
        reasons.push(`specialised code for ${n(macs)} multiply-adds would pass the VM's 64 KB bytecode limit, about ${n(SPECIALIZED_MAX_MACS)}`)
    else {
        const literal = withPaths(model.layers.map(() => "literal-code"))
        try {
            budget.check(literal)
            return chosen(literal, `specialised: ~${n(budget.appImageBytes + literal.image)} B of image fits ${n(budget.imageBytes)} B`)
        } catch (e) {
            if (mode === "on" || !(e instanceof UserError)) throw e
            reasons.push(`specialised: ${e.message}`)
        }
    }
    if (unroll === "off") reasons.push("--unroll off")
    // room for literal layers next to everything else, whose weights stay in flash
    const room = budget.imageBytes - budget.appImageBytes - flash.image
    const candidates: ModelPlan[] = []
    for (const u of unroll === "off" ? (["off"] as const) : unroll === "on" ? (["on"] as const) : (["on", "off"] as const))
        for (const s of mode === "off" ? (["off"] as const) : (["auto", "off"] as const)) {
            const paths = splitPaths(model, options, s, u, room)
            // literal code for the whole model was tried above
            if (paths.every(p => p === "literal-code") || candidates.some(c => c.layers.every((l, i) => l.path === paths[i]))) continue
            candidates.push(withPaths(paths))
        }
    let error: unknown
    for (const plan of candidates) {
        try {
            budget.check(plan)
        } catch (e) {
            if (!(e instanceof UserError)) throw e
            if (!error) reasons.push(`${describePlan(plan)}: ${e.message}`)
            error = e
            continue
        }
        return chosen(plan, `${describePlan(plan)} (${reasons.join("; ")})`)
    }
    throw error
}
