/**
 * From a model file to a built device app: map inputs to sensors, check the
 * board's budgets, then write model.ts and main.ts into a Workspace and build.
 */
import { type AppOptions, appSource, resolveFeatures, resolveTargets } from "./app-program.ts"
import { type BoardProfile, getBoard } from "./boards.ts"
import { type Budget, checkBudget, estimateBudget } from "./budget.ts"
import { type CanonicalModel, macsPerStep } from "../model/canonical.ts"
import { SPECIALIZED_MAX_MACS, type SpecializeMode } from "../emit/specialized.ts"
import { emitModule } from "../emit/emit.ts"
import { UserError, quote } from "../model/errors.ts"
import { importModel } from "../import/import-model.ts"
import type { Encoding } from "../model/quantize.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../run/workspace.ts"
import { parseDecimal } from "../io/csv.ts"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PACKAGE_ROOT } from "../run/paths.ts"

/** The "dsrnn predictor" custom service the app publishes on; devs build reads services/*.md of the project. */
export const PREDICTOR_SPEC_FILE = "services/dsrnnpredictor.md"

/** Puts the custom service spec into a workspace, as the generated main.ts needs it. */
export function writeServices(ws: Workspace) {
    ws.write(PREDICTOR_SPEC_FILE, readFileSync(join(PACKAGE_ROOT, PREDICTOR_SPEC_FILE), "utf8"))
}

/** The library directory as the generated main.ts (at the workspace root) imports it. */
const LIBRARY = WORKSPACE_LIBRARY.replace(/\/index$/, "")

export interface AppFlags {
    board: string
    weights: Encoding
    sensors?: string
    predicts?: string
    anomaly?: string
    period: string
    sync?: boolean
    /** --save-every: persist the model state every N predictions (0 = off). */
    saveEvery?: string
    /** --stuck: readings alike in a row that make a sensor stuck (0 = off). */
    stuck?: string
    /** Publish predictions on the "dsrnn predictor" custom service (about 5 KB of image). */
    publish?: boolean
    /** --specialize: literal code when it fits (auto, the default), always (on) or never (off). */
    specialize?: SpecializeMode
}

export interface PreparedApp {
    model: CanonicalModel
    board: BoardProfile
    /** Specialised code (literal weights) rather than flash matrices, and why. */
    specialize: boolean
    why: string
    budget: Budget
    app: AppOptions
}

export function positiveNumber(value: string, flag: string, integer: boolean): number {
    const v = parseDecimal(value.trim())
    if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) throw new UserError(`${flag} must be a non-negative ${integer ? "integer" : "number"}, got ${quote(value)}`)
    return v
}

/** Imports the model, maps its inputs to sensors and refuses it if it does not fit the board. */
export async function prepareApp(modelPath: string, flags: AppFlags, steps = 0): Promise<PreparedApp> {
    const board = getBoard(flags.board)
    const model = await importModel(modelPath)
    const features = resolveFeatures(model, flags.sensors)
    const missing = features.filter(f => !board.sensors.includes(f))
    if (missing.length) throw new UserError(`${board.id} has no ${missing.join(", ")} sensor in its profile (boards/boards.json)`)
    const targets = resolveTargets(model, features, flags.predicts)
    // --anomaly overrides the threshold dsrnn train calibrated; without either the flag is off
    const threshold = flags.anomaly !== undefined ? positiveNumber(flags.anomaly, "--anomaly", false) : targets.some(t => t !== null) ? (model.anomaly?.threshold ?? 0) : 0
    if (threshold > 0 && targets.every(t => t === null)) throw new UserError("--anomaly needs --predicts: which input each output forecasts")
    const periodMs = positiveNumber(flags.period, "--period", true)
    if (periodMs < 1) throw new UserError("--period must be at least 1 ms")
    const saveEvery = positiveNumber(flags.saveEvery ?? "0", "--save-every", true)
    const stuckSamples = positiveNumber(flags.stuck ?? "0", "--stuck", true)
    if (stuckSamples === 1) throw new UserError("--stuck 1 would call every reading stuck; give at least 2 (or 0 for off)")
    const path = choosePath(model, flags, board)
    return { model, board, ...path, app: { features, periodMs, targets, threshold, steps, stepAsync: path.budget.stepAsync, saveEvery, stuckSamples, publish: flags.publish } }
}

const n = (v: number) => v.toLocaleString("en-US")

/**
 * The fastest code that fits the board: specialised (about 4x faster) when
 * its estimate fits every budget, else flash matrices; checked again by the
 * real build (buildFittingApp). Throws when the chosen code does not fit.
 */
function choosePath(model: CanonicalModel, flags: AppFlags, board: BoardProfile): Pick<PreparedApp, "specialize" | "why" | "budget"> {
    const mode = flags.specialize ?? "auto"
    const budget = (specialize: boolean) => estimateBudget(model, flags.weights, board, flags.sync, specialize)
    const flash = (why: string) => {
        const b = budget(false)
        checkBudget(b, board)
        return { specialize: false, why: `flash matrices (${why})`, budget: b }
    }
    if (mode === "off") return flash("--specialize off")
    const macs = macsPerStep(model)
    if (mode === "auto" && macs > SPECIALIZED_MAX_MACS)
        return flash(`specialised code for ${n(macs)} multiply-adds would pass the VM's 64 KB bytecode limit, about ${n(SPECIALIZED_MAX_MACS)}`)
    const special = budget(true)
    try {
        checkBudget(special, board)
    } catch (e) {
        if (mode === "on" || !(e instanceof UserError)) throw e
        return flash(`specialised: ${e.message}`)
    }
    return { specialize: true, why: `specialised: ~${n(special.imageBytes)} B of image fits ${n(board.imageBytes)} B`, budget: special }
}

/** A workspace holding model.ts and the app's main.ts (`main` overrides the board app). */
export function writeApp(p: PreparedApp, encoding: Encoding, main = appSource(p.app, LIBRARY)): Workspace {
    const ws = new Workspace()
    writeServices(ws)
    ws.write("model.ts", emitModule(p.model, { encoding, specialize: p.specialize, libraryImport: WORKSPACE_LIBRARY, source: p.model.name }))
    ws.write("main.ts", main)
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
 * Writes and builds the app (`main` gives its main.ts); when specialised code
 * chosen by auto does not build or fit after all, falls back to flash
 * matrices and says why. The caller disposes of the workspace.
 */
export async function buildFittingApp(p: PreparedApp, encoding: Encoding, flags: AppFlags, main: (app: AppOptions) => string = app => appSource(app, LIBRARY)): Promise<BuiltApp> {
    const ws = writeApp(p, encoding, main(p.app))
    try {
        return { p, ws, image: await buildApp(p, ws) }
    } catch (e) {
        ws.dispose()
        if (!p.specialize || flags.specialize === "on" || !(e instanceof UserError)) throw e
        const flash = { ...p, specialize: false, why: `flash matrices (specialised: ${e.message.split("\n")[0]})`, budget: estimateBudget(p.model, encoding, p.board, flags.sync) }
        // the real build below checks the image, as it just did for the specialised one
        checkBudget(flash.budget, p.board, false)
        flash.app = { ...p.app, stepAsync: flash.budget.stepAsync }
        const retry = writeApp(flash, encoding, main(flash.app))
        try {
            return { p: flash, ws: retry, image: await buildApp(flash, retry) }
        } catch (e2) {
            retry.dispose()
            throw e2
        }
    }
}
