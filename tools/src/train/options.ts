/**
 * What `dsrnn train` can be told, checked on entry with each default applied.
 * Apart from TensorFlow.js, so that the CLI reads the defaults without
 * loading it.
 */
import { UserError } from "../core/errors.ts"
import { type DerivedRequest, type TargetMode, TARGET_MODES, parseDerived } from "./candidates.ts"

export interface LayerSpec {
    type: "lstm" | "gru" | "rnn"
    units: number
}

/** Largest units per layer --arch accepts: LSTM(123) is the largest that fits a board (docs/performance.md). */
const MAX_UNITS = 128

/** "lstm:16" or "lstm:16,gru:8" -> layer specs. */
export function parseArch(arch: string): LayerSpec[] {
    return arch.split(",").map(part => {
        const m = /^(lstm|gru|rnn):(\d+)$/.exec(part.trim().toLowerCase())
        const units = m ? Number(m[2]) : NaN
        if (!m || units < 1 || units > MAX_UNITS)
            throw new UserError(`--arch: "${part}" is not a layer; use lstm:N, gru:N or rnn:N with N from 1 to ${MAX_UNITS}, comma-separated (e.g. lstm:16,lstm:8)`)
        return { type: m[1] as LayerSpec["type"], units }
    })
}

/** --residual, the old name of --target-mode: on is change, off is level. */
export type ResidualMode = "auto" | "on" | "off"

/** What `dsrnn train` can be told; each field's default is applied by resolveTrainOptions. */
export interface TrainOptions {
    /** Column to forecast. Required. */
    target: string
    /** Input columns, in order. Default: every numeric column of the file, the target included. */
    inputs?: string[]
    /** Rows ahead the output forecasts, or a list for one output per horizon (parseHorizon). Default: 1. */
    horizon?: number | number[]
    /** Layers, e.g. "lstm:16", "gru:16", "rnn:16" or "lstm:16,lstm:8". Default: "lstm:16". */
    arch?: string
    /** Most epochs to run. Default: 60. */
    epochs?: number
    /** Seed of the initial weights and the window order: equal seeds give equal models. Default: 1. */
    seed?: number
    /** Rows per training window, each streamed from zero state. Default: min(64, training rows / 4). */
    window?: number
    /** Share of the rows, at the end of the file, held out for validation. Default: 0.2. */
    validation?: number
    /** What the network forecasts: the level, the change from the current value, the change from the seasonal naive forecast, or whichever streams best on validation (auto). Default: "auto". */
    targetMode?: "auto" | TargetMode
    /** The old name of targetMode: on = change, off = level. */
    residual?: ResidualMode
    /** Derived inputs: "auto" (pick on validation), "none", or a list of change, season, day, week, year. Default: "auto". */
    derived?: string
    /** The target's season in rows. Default: detected on the training rows. */
    period?: number
    /** Epochs without a better streaming validation RMSE before training stops. Default: 12. */
    patience?: number
    /** Windows per gradient step (fewer when an epoch would have under 8 steps). Default: 16. */
    batchSize?: number
    /** Adam's learning rate. Default: 0.005. */
    learningRate?: number
    /** Rows between the starts of training windows. Default: the window (no overlap). Not a flag: tools/scripts/series-exp.ts measures it (docs/train.md). */
    stride?: number
    /** The learning rate is multiplied by this after lrPatience epochs without a better streaming RMSE. Default: 1 (fixed). Not a flag, as stride. */
    lrDecay?: number
    /** Default: 5. */
    lrPatience?: number
}

export const TRAIN_DEFAULTS = { horizon: 1, arch: "lstm:16", epochs: 60, seed: 1, validation: 0.2, targetMode: "auto", derived: "auto", patience: 12, batchSize: 16, learningRate: 0.005 } as const

/** Smallest validation part: fewer rows cannot score a model. */
const MIN_VALIDATION_ROWS = 8
const MIN_WINDOW = 4

export interface ResolvedOptions {
    layers: LayerSpec[]
    /** Rows ahead of each output. */
    horizons: number[]
    /** The furthest of them: the rows at the end of each part that have no target. */
    horizon: number
    epochs: number
    seed: number
    window: number
    trainRows: number
    targetMode: "auto" | TargetMode
    derived: DerivedRequest
    /** --period, checked against the training rows. */
    period?: number
    patience: number
    batchSize: number
    learningRate: number
    stride: number
    lrDecay: number
    lrPatience: number
}

/** Most outputs --horizon a..b gives: one per horizon, each a network output. */
const MAX_HORIZONS = 64

/** --horizon: "3" (one output, 3 rows ahead) or "1..3" (three outputs, 1, 2 and 3 rows ahead). */
export function parseHorizon(v: string): number[] {
    const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(v)
    const [a, b] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN]
    if (!m || a < 1 || b < a || b - a >= MAX_HORIZONS)
        throw new UserError(`--horizon must be rows ahead (e.g. 3) or a range a..b from 1 up, at most ${MAX_HORIZONS} horizons (e.g. 1..3), got "${v}"`)
    return Array.from({ length: b - a + 1 }, (_, j) => a + j)
}

function positiveInt(v: number, flag: string, min = 1): number {
    if (!Number.isInteger(v) || v < min) throw new UserError(`${flag} must be an integer of at least ${min}, got ${v}`)
    return v
}

/** Checks every option on entry and fills in the defaults; `rows` is the number of usable rows. */
export function resolveTrainOptions(opts: TrainOptions, rows: number, targetIsInput: boolean): ResolvedOptions {
    const o = { ...TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<TrainOptions>
    const horizons = (Array.isArray(o.horizon) ? o.horizon : [o.horizon]).map(h => positiveInt(h, "--horizon"))
    const horizon = Math.max(...horizons)
    if (!(o.validation > 0 && o.validation < 1)) throw new UserError(`--validation must be a share between 0 and 1, got ${o.validation}`)
    const targetMode = resolveTargetMode(opts)
    if (targetMode !== "auto" && targetMode !== "level" && !targetIsInput) {
        const flag = opts.residual !== undefined ? `--residual ${opts.residual}` : `--target-mode ${targetMode}`
        throw new UserError(`${flag} adds the ${targetMode === "change" ? "current" : "seasonal naive"} ${opts.target} back, so ${opts.target} must be one of --inputs`)
    }
    const validationRows = Math.round(rows * o.validation)
    const trainRows = rows - validationRows
    const window = o.window === undefined ? Math.min(64, Math.floor(trainRows / 4)) : positiveInt(o.window, "--window", MIN_WINDOW)
    const need = Math.max(MIN_WINDOW * 4, 2 * window) + horizon
    if (trainRows < need || validationRows < MIN_VALIDATION_ROWS + horizon)
        throw new UserError(
            `only ${rows} usable rows: training needs at least ${Math.ceil((need + MIN_VALIDATION_ROWS + horizon) / (1 - o.validation))} (two windows of ${Math.max(window, MIN_WINDOW * 2)} rows and ${MIN_VALIDATION_ROWS} validation rows, ${horizon} ahead)`
        )
    if (opts.period !== undefined && (!Number.isInteger(opts.period) || opts.period < 2 || opts.period >= trainRows))
        throw new UserError(`--period must be a whole number of rows from 2 to ${trainRows - 1} (shorter than the ${trainRows} training rows), got ${opts.period}`)
    return {
        layers: parseArch(o.arch),
        horizons,
        horizon,
        epochs: positiveInt(o.epochs, "--epochs"),
        seed: positiveInt(o.seed, "--seed", 0),
        window,
        trainRows,
        targetMode: targetIsInput ? targetMode : "level",
        derived: parseDerived(o.derived),
        period: opts.period,
        patience: positiveInt(o.patience, "--patience"),
        batchSize: positiveInt(o.batchSize, "--batch-size"),
        learningRate: o.learningRate,
        stride: o.stride === undefined ? window : positiveInt(o.stride, "--stride"),
        lrDecay: o.lrDecay ?? 1,
        lrPatience: o.lrPatience ?? 5,
    }
}

/** --target-mode, or --residual (its old name) mapped onto it; both at once is an error. */
function resolveTargetMode(opts: TrainOptions): "auto" | TargetMode {
    const modes = ["auto", ...TARGET_MODES]
    if (opts.residual !== undefined) {
        if (opts.targetMode !== undefined) throw new UserError("--residual is the old name of --target-mode: give only --target-mode")
        if (!["auto", "on", "off"].includes(opts.residual)) throw new UserError(`--residual must be auto, on or off (the old name of --target-mode auto, change or level), got ${opts.residual}`)
        return opts.residual === "on" ? "change" : opts.residual === "off" ? "level" : "auto"
    }
    const mode = opts.targetMode ?? TRAIN_DEFAULTS.targetMode
    if (!modes.includes(mode)) throw new UserError(`--target-mode must be ${modes.slice(0, -1).join(", ")} or ${modes.at(-1)}, got ${mode}`)
    return mode
}
