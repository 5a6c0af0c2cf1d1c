/**
 * From a model file to a built device app: map inputs to sensors, check the
 * board's budgets, then write model.ts and main.ts into a Workspace and build.
 */
import { type AppOptions, appSource, resolveFeatures, resolveTargets } from "./app-program.ts"
import { parseRanges } from "./sensors.ts"
import { type BoardProfile, getBoard } from "./boards.ts"
import { APP_CODE_BYTES, type Budget, checkBudget, estimateBudget, weightImage } from "./budget.ts"
import { type CanonicalModel, macsPerStep } from "../model/canonical.ts"
import { SPECIALIZED_MAX_MACS, type SpecializeMode } from "../emit/specialized.ts"
import { type CodePlan, type UnrollMode, describePlan, planPaths, simplifyPlan } from "../emit/paths.ts"
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
    /** --range name=min:max, repeatable: valid ranges instead of the sensor table's. */
    range?: string[]
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
    /** --unroll: layers not specialised as unrolled flash code when it fits (auto, the default), always (on) or never (off: flash matrices). */
    unroll?: UnrollMode
}

export interface PreparedApp {
    model: CanonicalModel
    board: BoardProfile
    /** Specialised code (true), flash matrices (false) or a path per layer, and why. */
    specialize: CodePlan
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
    const missing = features.filter(f => board.sensors && !board.sensors.includes(f))
    if (missing.length) throw new UserError(`${board.id} has no ${missing.join(", ")} sensor in its profile (boards/boards.json)`)
    const ranges = parseRanges(flags.range ?? [], features)
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
    return { model, board, ...path, app: { features, ranges, periodMs, targets, threshold, steps, stepAsync: path.budget.stepAsync, saveEvery, stuckSamples, publish: flags.publish } }
}

const n = (v: number) => v.toLocaleString("en-US")

/**
 * The fastest code that fits the board: specialised (about 4x faster) when
 * its estimate fits every budget; else the largest layers that fit the
 * bytecode specialised and the rest unrolled flash (about 2x faster than
 * flash matrices); else without the specialised layers, then flash matrices
 * under them, then flash matrices alone. Checked again by the real build
 * (buildFittingApp). Throws when no code allowed by the flags fits.
 */
export function choosePath(model: CanonicalModel, flags: Pick<AppFlags, "weights" | "sync" | "specialize" | "unroll">, board: BoardProfile): Pick<PreparedApp, "specialize" | "why" | "budget"> {
    const mode = flags.specialize ?? "auto"
    const unroll = flags.unroll ?? "auto"
    const budget = (plan: CodePlan) => estimateBudget(model, flags.weights, board, flags.sync, plan)
    const reasons: string[] = []
    const macs = macsPerStep(model)
    if (mode === "off") reasons.push("--specialize off")
    else if (mode === "auto" && macs > SPECIALIZED_MAX_MACS)
        reasons.push(`specialised code for ${n(macs)} multiply-adds would pass the VM's 64 KB bytecode limit, about ${n(SPECIALIZED_MAX_MACS)}`)
    else {
        const special = budget(true)
        try {
            checkBudget(special, board)
            return { specialize: true, why: `specialised: ~${n(special.imageBytes)} B of image fits ${n(board.imageBytes)} B`, budget: special }
        } catch (e) {
            if (mode === "on" || !(e instanceof UserError)) throw e
            reasons.push(`specialised: ${e.message}`)
        }
    }
    if (unroll === "off") reasons.push("--unroll off")
    // room for specialised layers next to everything else, whose weights stay in flash
    const room = board.imageBytes - APP_CODE_BYTES - weightImage(model, flags.weights)
    const candidates: CodePlan[] = []
    for (const u of unroll === "off" ? (["off"] as const) : unroll === "on" ? (["on"] as const) : (["on", "off"] as const))
        for (const s of mode === "off" ? (["off"] as const) : (["auto", "off"] as const)) {
            const plan = simplifyPlan(planPaths(model, flags.weights, s, u, room))
            // whole-model specialised code was tried above
            if (plan !== true && !candidates.some(c => JSON.stringify(c) === JSON.stringify(plan))) candidates.push(plan)
        }
    let error: unknown
    for (const plan of candidates) {
        const b = budget(plan)
        try {
            checkBudget(b, board)
        } catch (e) {
            if (!(e instanceof UserError)) throw e
            if (!error) reasons.push(`${describePlan(model, plan)}: ${e.message}`)
            error = e
            continue
        }
        return { specialize: plan, why: `${describePlan(model, plan)} (${reasons.join("; ")})`, budget: b }
    }
    throw error
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
        if (p.specialize === false || flags.specialize === "on" || flags.unroll === "on" || !(e instanceof UserError)) throw e
        const tried = p.specialize === true ? "specialised" : describePlan(p.model, p.specialize)
        const flash = { ...p, specialize: false, why: `flash matrices (${tried}: ${e.message.split("\n")[0]})`, budget: estimateBudget(p.model, encoding, p.board, flags.sync) }
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
