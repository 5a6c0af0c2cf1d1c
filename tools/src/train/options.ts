/**
 * What `dsrnn train` can be told, with each default applied and the checks
 * that depend on the rows. Apart from TensorFlow.js, so that the CLI reads
 * the defaults without loading it.
 */
import { UserError } from "../core/errors.ts"
import { type DerivedRequest, type TargetMode, parseDerived } from "./candidates.ts"

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

/**
 * What `dsrnn train` can be told, as typed values (cli/train-options.ts
 * turns the flags into them); each field's default is applied by
 * resolveTrainOptions, which checks what depends on the rows.
 */
export interface TrainOptions {
    /** Column to forecast. Required. */
    target: string
    /** Input columns, in order. Default: every numeric column of the file, the target included. */
    inputs?: string[]
    /** Rows ahead of each output, one output per horizon. Default: [1]. */
    horizons?: number[]
    /** The recurrent layers, e.g. parseArch("lstm:16,lstm:8"). Default: lstm:16. */
    layers?: LayerSpec[]
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
    /** Derived inputs: pick on validation (auto) or one set (parseDerived). Default: auto. */
    derived?: DerivedRequest
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
/** Smallest --window. */
export const MIN_WINDOW = 4

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

/** Fills in the defaults and checks what depends on the rows; `rows` is the number of usable rows. */
export function resolveTrainOptions(opts: TrainOptions, rows: number, targetIsInput: boolean): ResolvedOptions {
    const o = { ...TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof TRAIN_DEFAULTS & TrainOptions
    const horizons = opts.horizons ?? [TRAIN_DEFAULTS.horizon]
    const horizon = Math.max(...horizons)
    const validationRows = Math.round(rows * o.validation)
    const trainRows = rows - validationRows
    const window = o.window ?? Math.min(64, Math.floor(trainRows / 4))
    const need = Math.max(MIN_WINDOW * 4, 2 * window) + horizon
    if (trainRows < need || validationRows < MIN_VALIDATION_ROWS + horizon)
        throw new UserError(
            `only ${rows} usable rows: training needs at least ${Math.ceil((need + MIN_VALIDATION_ROWS + horizon) / (1 - o.validation))} (two windows of ${Math.max(window, MIN_WINDOW * 2)} rows and ${MIN_VALIDATION_ROWS} validation rows, ${horizon} ahead)`
        )
    if (opts.period !== undefined && (!Number.isInteger(opts.period) || opts.period < 2 || opts.period >= trainRows))
        throw new UserError(`--period must be a whole number of rows from 2 to ${trainRows - 1} (shorter than the ${trainRows} training rows), got ${opts.period}`)
    return {
        layers: opts.layers ?? parseArch(TRAIN_DEFAULTS.arch),
        horizons,
        horizon,
        epochs: o.epochs,
        seed: o.seed,
        window,
        trainRows,
        targetMode: targetIsInput ? (o.targetMode as "auto" | TargetMode) : "level",
        derived: opts.derived ?? parseDerived(TRAIN_DEFAULTS.derived),
        period: opts.period,
        patience: o.patience,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        stride: o.stride ?? window,
        lrDecay: o.lrDecay ?? 1,
        lrPatience: o.lrPatience ?? 5,
    }
}
