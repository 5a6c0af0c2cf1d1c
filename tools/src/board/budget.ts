/**
 * Will a model fit a board? Estimates, made before any build, of the three
 * budgets a DeviceScript board imposes: GC heap, program image (flash) and
 * opcodes per watchdog slice. The model's share comes from its plan (each
 * layer kind's kernel in emit/kernels/ follows the device library's
 * allocations, src/*.ts, by the VM's allocator rules in emit/heap.ts;
 * tools/test/emit/heap-vm.test.ts holds the heap to the VM's); this adds the
 * app's, measured on the VM (docs/platform.md).
 * tools/test/board/boards.test.ts checks them against real builds.
 */
import type { BoardProfile } from "./boards.ts"
import { UserError } from "../core/errors.ts"
import { macsPerStep } from "../model/canonical.ts"
import type { Encoding } from "../model/quantize.ts"
import type { ModelPlan, PlanBudget } from "../emit/plan.ts"
// Beyond STEP_OPCODE_LIMIT Model.step throws and the app must use stepAsync, which suspends every SLICE_MACS multiply-adds.
import { SLICE_MACS, STEP_OPCODE_LIMIT } from "../../../src/limits.ts"

/**
 * Heap for everything but the model and its Forecaster (the plan's heap). Measured by filling the heap
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

/**
 * What the app with this plan costs: the model's figures from its plan
 * (emit/plan.ts) plus the app's own; `sync` forces Model.step (no
 * suspension inside a step).
 */
export function estimateBudget(plan: ModelPlan, board: BoardProfile, sync = false): Budget {
    const syncFits = plan.opcodes <= Math.min(STEP_OPCODE_LIMIT, board.sliceOpcodes)
    return {
        heapBytes: APP_HEAP_BYTES + plan.heap,
        imageBytes: APP_CODE_BYTES + plan.image,
        macs: macsPerStep(plan.model),
        stepOpcodes: plan.opcodes,
        stepAsync: !sync && !syncFits,
        encoding: plan.encoding,
    }
}

/** The board's budgets as choosePlan (emit/plan.ts) checks a plan against them. */
export function boardBudget(board: BoardProfile, sync = false): PlanBudget {
    return { imageBytes: board.imageBytes, appImageBytes: APP_CODE_BYTES, check: plan => checkBudget(estimateBudget(plan, board, sync), board) }
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

