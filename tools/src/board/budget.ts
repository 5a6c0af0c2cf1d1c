/**
 * Will a model fit a board? Estimates, made before any build, of the three
 * budgets a DeviceScript board imposes: GC heap, program image (flash) and
 * opcodes per watchdog slice. They follow the device library's allocations
 * (src/*.ts) and the VM's sizes (docs/platform.md), so they must change with
 * them; tools/test/board/boards.test.ts checks them against real builds.
 */
import { type CanonicalModel, type Layer, layerMacs, macsPerStep } from "../model/canonical.ts"
import type { BoardProfile } from "./boards.ts"
import { UserError } from "../model/errors.ts"
import { type Encoding, WEIGHT_BYTES } from "../model/quantize.ts"
import { deviceFeatures, seasonRingSize } from "../model/features.ts"
import { stepOpcodes } from "../emit/cost.ts"
import { SPECIALIZED_BYTES_PER_MAC } from "../emit/specialized.ts"
import { type CodePlan, layerPath, unrolledColumns } from "../emit/paths.ts"
import { UNROLLED_BYTES_PER_COLUMN, UNROLLED_CLASS_BYTES } from "../emit/unrolled.ts"

/** src/model.ts STEP_OPCODE_LIMIT: beyond it Model.step throws and the app must use stepAsync. */
export const STEP_OPCODE_LIMIT = 65536
/** src/model.ts SLICE_MACS: stepAsync suspends after this many multiply-adds. */
export const SLICE_MACS = 2000
/**
 * Heap for everything but the model's arrays. Measured by filling the heap
 * until out of memory (resolution 2.4 KB): an empty program leaves 63.2 KB of
 * 64 KB free; three sensor roles plus the weather LSTM take 2.4 KB more. The
 * rest is headroom for transient allocations (Jacdac packets, console lines).
 */
export const APP_HEAP_BYTES = 8_192
/**
 * Image bytes of the app and the device library without weights: the weather
 * LSTM app builds to 10,208 B bare, 15,520 B with the predictor service and
 * 17,888 B with state saving too (~0.9 KB of each are weights); rounded up to
 * cover all of them. tools/test/board/boards.test.ts checks it against a build.
 */
export const APP_CODE_BYTES = 18_432
/** A class instance: header plus one 16-byte key/value slot per field (estimate; no heap API to measure it). */
const objectBytes = (fields: number) => 32 + 16 * fields

/** Capacity of a number[] of length n built by push: 4, then floor(len * 10 / 8) at each overflow. */
export function pushCapacity(n: number): number {
    let cap = 4
    for (let len = 1; len <= n; len++) if (len > cap) cap = Math.floor((len * 10) / 8)
    return cap
}

/** Heap bytes of a number[] of length n built by push (src/layer.ts zeros). */
export function arrayBytes(n: number): number {
    return 20 + 8 * pushCapacity(n)
}

/** A literal array ([a, b]) is allocated at its exact length. */
const literalArrayBytes = (n: number) => 20 + 8 * n

/** The Forecaster's derived-input state (src/features.ts Derivation: the previous readings and the season rings) and its config literal. */
function derivedHeap(model: CanonicalModel): number {
    const f = deviceFeatures(model)
    if (!f) return 0
    const lists = [f.change, f.season, f.seasonChange, f.cycleMs, f.cycleOffsetMs].reduce((s, v) => s + (v ? literalArrayBytes(v.length) : 0), 0)
    return objectBytes(9) + objectBytes(8) + lists + arrayBytes(f.change?.length ?? 0) + arrayBytes((f.season?.length ?? 0) * seasonRingSize(model))
}

function layerHeap(l: Layer): number {
    const u = l.units
    const matrices = objectBytes(5) * (l.type === "dense" ? 1 : 2)
    const gates = l.type === "dense" ? 0 : objectBytes(4)
    const stages = l.type === "gru" && !l.resetAfter ? 2 : 1
    const fixed = objectBytes(10) + matrices + gates + 2 * literalArrayBytes(stages)
    switch (l.type) {
        case "lstm":
            return fixed + 3 * arrayBytes(u) + arrayBytes(4 * u) + literalArrayBytes(2)
        case "gru":
            return fixed + arrayBytes(u) + arrayBytes(3 * u) + arrayBytes(l.resetAfter ? 3 * u : u) + literalArrayBytes(1)
        case "rnn":
            return fixed + 2 * arrayBytes(u) + literalArrayBytes(1)
        case "dense":
            return fixed + arrayBytes(u) + literalArrayBytes(0)
    }
}

/** Opcodes the app runs in one slice of the watchdog: a whole step, or one stepAsync block of SLICE_MACS multiply-adds. */
export function sliceOpcodes(budget: Budget): number {
    return budget.stepAsync ? Math.min(budget.stepOpcodes, Math.ceil((budget.stepOpcodes / budget.macs) * SLICE_MACS)) : budget.stepOpcodes
}

export interface Budget {
    heapBytes: number
    imageBytes: number
    macs: number
    /** Opcodes of one synchronous Model.step. */
    stepOpcodes: number
    /** The app suspends inside a step (stepAsync) when one step would not fit a slice. */
    stepAsync: boolean
    /** The weight encoding the image was estimated for. */
    encoding: Encoding
}

function layerWeightImage(l: Layer, encoding: Encoding): number {
    const matrix = (m: number[][]) => m.length * m[0].length * WEIGHT_BYTES[encoding] + (encoding === "f32" ? 0 : 4 * m.length)
    // The emitter leaves out all-zero bias vectors.
    const bias = (v: number[]) => (v.every(x => x === 0) ? 0 : 4 * v.length)
    return l.type === "dense" ? matrix(l.W) + bias(l.b) : matrix(l.Wx) + matrix(l.Wh) + bias(l.bx) + bias(l.bh)
}

/** Image of every weight as flash literals. */
export function weightImage(model: CanonicalModel, encoding: Encoding): number {
    return model.layers.reduce((sum, l) => sum + layerWeightImage(l, encoding), 0)
}

/**
 * Image of a layer in its code: specialised code by bytes per multiply-add
 * measured with the library around it (SPECIALIZED_BYTES_PER_MAC), so it errs
 * high next to APP_CODE_BYTES; unrolled code its flash weights plus its code
 * per column.
 */
function layerImage(l: Layer, encoding: Encoding, plan: CodePlan, i: number): number {
    const path = layerPath(plan, i)
    if (path === "specialized") return Math.ceil(layerMacs(l) * SPECIALIZED_BYTES_PER_MAC[encoding])
    const code = path === "unrolled" ? UNROLLED_CLASS_BYTES + UNROLLED_BYTES_PER_COLUMN * unrolledColumns(l) : 0
    return layerWeightImage(l, encoding) + code
}

/**
 * What the app with this model costs, in the code the emitter writes for it
 * (`specialize`: literal code, else flash matrices, or a path per layer);
 * `sync` forces Model.step (no suspension inside a step).
 */
export function estimateBudget(model: CanonicalModel, encoding: Encoding, board: BoardProfile, sync = false, specialize: CodePlan = false): Budget {
    const macs = macsPerStep(model)
    const io = 2 * arrayBytes(model.inputSize) + 2 * arrayBytes(model.outputSize)
    const heapBytes = APP_HEAP_BYTES + objectBytes(4) + literalArrayBytes(model.layers.length) + io + derivedHeap(model) + model.layers.reduce((s, l) => s + layerHeap(l), 0)
    const opcodes = stepOpcodes(model, encoding, (_, i) => layerPath(specialize, i))
    const syncFits = opcodes <= Math.min(STEP_OPCODE_LIMIT, board.sliceOpcodes)
    const imageBytes = APP_CODE_BYTES + model.layers.reduce((sum, l, i) => sum + layerImage(l, encoding, specialize, i), 0)
    return { heapBytes, imageBytes, macs, stepOpcodes: opcodes, stepAsync: !sync && !syncFits, encoding }
}

const n = (v: number) => v.toLocaleString("en-US")

/** Throws a UserError naming the first budget the model exceeds on `board`; `image: false` leaves the image to a real build. */
export function checkBudget(budget: Budget, board: BoardProfile, image = true): void {
    if (image && budget.imageBytes > board.imageBytes)
        throw new UserError(`model needs ${n(budget.imageBytes)} B of image, ${board.id} allows ${n(board.imageBytes)} B; ${budget.encoding === "i8" ? "use fewer units or layers" : "use smaller weights (--weights i8) or fewer units"}`)
    if (budget.heapBytes > board.heapBytes)
        throw new UserError(`model needs ${n(budget.heapBytes)} B of heap, ${board.id} has ${n(board.heapBytes)} B; use fewer units or layers`)
    if (!budget.stepAsync && budget.stepOpcodes > Math.min(STEP_OPCODE_LIMIT, board.sliceOpcodes))
        throw new UserError(`one step takes ${n(budget.stepOpcodes)} opcodes (${n(budget.macs)} multiply-adds), ${board.id} allows ${n(board.sliceOpcodes)} per slice; drop --sync so the app uses stepAsync`)
}

/** The build report: each figure against the board's budget. */
export function formatBudget(budget: Budget, board: BoardProfile, actualImage?: number): string {
    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`
    const image = actualImage ?? budget.imageBytes
    return [
        `image: ${n(image)} B${actualImage === undefined ? " (estimate)" : ""} of ${n(board.imageBytes)} B (${pct(image, board.imageBytes)})`,
        `heap:  ${n(budget.heapBytes)} B (estimate) of ${n(board.heapBytes)} B (${pct(budget.heapBytes, board.heapBytes)})`,
        `step:  ${n(budget.macs)} multiply-adds, ~${n(budget.stepOpcodes)} opcodes; ${budget.stepAsync ? `stepAsync (suspends every ${n(SLICE_MACS)} multiply-adds)` : `step, ${pct(budget.stepOpcodes, board.sliceOpcodes)} of the ${n(board.sliceOpcodes)}-opcode slice`}`,
    ].join("\n")
}

