/**
 * From a model file to a built device app: map inputs to sensors, check the
 * board's budgets, then write model.ts and main.ts into a Workspace and build.
 */
import { type AppFiles, type AppOptions, type Forecast, appFiles, resolveFeatures, resolveTargets } from "./app-program.ts"
import { type SensorKind, type SensorRange, checkRanges } from "./sensors.ts"
import type { BoardProfile } from "./boards.ts"
import { type Budget, boardBudget, checkBudget, estimateBudget } from "./budget.ts"
import type { CanonicalModel } from "../model/canonical.ts"
import { type ModelPlan, type PlanChoice, type PlanFlags, type SpecializeMode, type UnrollMode, choosePlan, describePlan } from "../emit/plan.ts"
import { emitModule } from "../emit/emit.ts"
import { UserError } from "../core/errors.ts"
import { importModel } from "../import/import-model.ts"
import type { Encoding } from "../model/quantize.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../run/workspace.ts"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PACKAGE_ROOT } from "../run/paths.ts"

/** The "dsrnn predictor" custom service the app publishes on; devs build reads services/*.md of the project. */
export const PREDICTOR_SPEC_FILE = "services/dsrnnpredictor.md"

/** Puts the custom service spec into a workspace, as the generated main.ts needs it. */
export function writeServices(ws: Workspace) {
    ws.write(PREDICTOR_SPEC_FILE, readFileSync(join(PACKAGE_ROOT, PREDICTOR_SPEC_FILE), "utf8"))
}

/**
 * What build, bundle, flash and deploy are asked for, as typed values
 * (cli/app-options.ts reads them off the flags); what depends on the model
 * is checked here.
 */
export interface BuildOptions {
    board: BoardProfile
    encoding: Encoding
    /** The sensor feeding each of the model's readings (--sensors); absent: the model's inputNames. */
    sensors?: SensorKind[]
    /** Valid ranges instead of the sensor table's (--range). */
    ranges: SensorRange[]
    /** Per output, the sensor it forecasts (--predicts); absent: the model's outputNames say. */
    predicts?: Forecast[]
    /** The anomaly threshold (--anomaly); absent: the one dsrnn train calibrated. */
    anomaly?: number
    periodMs: number
    /** UTC ms of the first sample (--start), for calendar inputs. */
    startMs?: number
    /** Step in one go (Model.step), never suspending inside a step. */
    sync: boolean
    /** Persist the model state every N predictions (0 = off). */
    saveEvery: number
    /** Readings alike in a row that make a sensor stuck (0 = off). */
    stuckSamples: number
    /** Publish predictions on the "dsrnn predictor" custom service (about 5 KB of image). */
    publish?: boolean
    /** Literal code when it fits (auto, the default), always (on) or never (off). */
    specialize?: SpecializeMode
    /** Layers not specialised as unrolled flash code when it fits (auto, the default), always (on) or never (off: flash matrices). */
    unroll?: UnrollMode
}

export interface PreparedApp {
    model: CanonicalModel
    board: BoardProfile
    /** The code each layer gets (choosePlan), and why. */
    plan: ModelPlan
    why: string
    /** What to build when `plan` does not build or fit after all (flash matrices), or null. */
    fallback: ModelPlan | null
    budget: Budget
    /** Model.step only (--sync), as the budgets were worked out. */
    sync: boolean
    app: AppOptions
}

/** Imports the model, maps its inputs to sensors and refuses it if it does not fit the board. */
export async function prepareApp(modelPath: string, opts: BuildOptions, steps = 0): Promise<PreparedApp> {
    const { board } = opts
    const model = await importModel(modelPath)
    const features = resolveFeatures(model, opts.sensors)
    const missing = features.filter(f => board.sensors && !board.sensors.includes(f))
    if (missing.length) throw new UserError(`${board.id} has no ${missing.join(", ")} sensor in its profile (boards/boards.json)`)
    const ranges = checkRanges(opts.ranges, features)
    const targets = resolveTargets(model, features, opts.predicts)
    // --anomaly overrides the threshold dsrnn train calibrated; without either the flag is off
    const threshold = opts.anomaly ?? (targets.some(t => t !== null) ? (model.anomaly?.threshold ?? 0) : 0)
    if (threshold > 0 && targets.every(t => t === null)) throw new UserError("--anomaly needs --predicts: which input each output forecasts")
    // the debounce was calibrated with the trained threshold: an --anomaly threshold flags row by row
    const debounce = opts.anomaly === undefined ? model.anomaly?.debounce : undefined
    const { periodMs, saveEvery, stuckSamples, startMs, publish } = opts
    const calendar = model.features?.calendar
    const { plan, why, fallback, budget } = boardPlan(model, board, opts)
    return { model, board, plan, why, fallback, budget, sync: opts.sync, app: { features, ranges, periodMs, calendar, startMs, targets, threshold, debounce, steps, stepAsync: budget.stepAsync, saveEvery, stuckSamples, publish } }
}

const n = (v: number) => v.toLocaleString("en-US")

/**
 * The plan `build` deploys for this model on this board (choosePlan against
 * the board's budgets), and what it costs; prepareApp and the report's
 * budget chart both take it from here. Throws when no code allowed by the
 * flags fits.
 */
export function boardPlan(model: CanonicalModel, board: BoardProfile, opts: { encoding: Encoding; sync?: boolean } & PlanFlags): PlanChoice & { budget: Budget } {
    const choice = choosePlan(model, opts.encoding, boardBudget(board, opts.sync), opts)
    return { ...choice, budget: estimateBudget(choice.plan, board, opts.sync) }
}

/** A workspace holding model.ts and the app's files, main.ts among them (`files` overrides the board app). */
export function writeApp(p: PreparedApp, files = appFiles(p.app)): Workspace {
    const ws = new Workspace()
    writeServices(ws)
    ws.write("model.ts", emitModule(p.plan, { libraryImport: WORKSPACE_LIBRARY, source: p.model.name }))
    for (const [name, source] of Object.entries(files)) ws.write(name, source)
    return ws
}

/** Builds the app; refuses an image over the board's budget (the estimate is checked again by the real size). */
export async function buildApp(p: PreparedApp, ws: Workspace): Promise<number> {
    const { binary } = await ws.build("main.ts")
    if (binary.length > p.board.imageBytes)
        throw new UserError(`the app's image is ${n(binary.length)} B, ${p.board.id} allows ${n(p.board.imageBytes)} B`)
    return binary.length
}

export interface BuiltApp {
    p: PreparedApp
    ws: Workspace
    image: number
}

/**
 * Writes and builds the app (`files` gives its files); when the plan does
 * not build or fit after all, builds its fallback (flash matrices) and says
 * why. The caller disposes of the workspace.
 */
export async function buildFittingApp(p: PreparedApp, files: (app: AppOptions) => AppFiles = appFiles): Promise<BuiltApp> {
    const ws = writeApp(p, files(p.app))
    try {
        return { p, ws, image: await buildApp(p, ws) }
    } catch (e) {
        ws.dispose()
        if (!p.fallback || !(e instanceof UserError)) throw e
        const budget = estimateBudget(p.fallback, p.board, p.sync)
        const flash: PreparedApp = { ...p, plan: p.fallback, fallback: null, why: `${describePlan(p.fallback)} (${describePlan(p.plan)}: ${e.message.split("\n")[0]})`, budget }
        // the real build below checks the image, as it just did for the first plan
        checkBudget(budget, p.board, false)
        flash.app = { ...p.app, stepAsync: budget.stepAsync }
        const retry = writeApp(flash, files(flash.app))
        try {
            return { p: flash, ws: retry, image: await buildApp(flash, retry) }
        } catch (e2) {
            retry.dispose()
            throw e2
        }
    }
}
