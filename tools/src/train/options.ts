/**
 * What `dsrnn train` can be told, checked on entry with each default applied.
 * Apart from TensorFlow.js, so that the CLI reads the defaults without
 * loading it.
 */
import { UserError } from "../model/errors.ts"

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

export type ResidualMode = "auto" | "on" | "off"

/** What `dsrnn train` can be told; each field's default is applied by resolveTrainOptions. */
export interface TrainOptions {
    /** Column to forecast. Required. */
    target: string
    /** Input columns, in order. Default: every numeric column of the file, the target included. */
    inputs?: string[]
    /** Rows ahead the output forecasts. Default: 1. */
    horizon?: number
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
    /** Forecast the change of the target from its current value (on), the level (off), or whichever streams better on validation (auto). Default: "auto". */
    residual?: ResidualMode
    /** Epochs without a better streaming validation RMSE before training stops. Default: 12. */
    patience?: number
    /** Windows per gradient step (fewer when an epoch would have under 8 steps). Default: 16. */
    batchSize?: number
    /** Adam's learning rate. Default: 0.005. */
    learningRate?: number
}

export const TRAIN_DEFAULTS = { horizon: 1, arch: "lstm:16", epochs: 60, seed: 1, validation: 0.2, residual: "auto", patience: 12, batchSize: 16, learningRate: 0.005 } as const

/** Smallest validation part: fewer rows cannot score a model. */
const MIN_VALIDATION_ROWS = 8
const MIN_WINDOW = 4

export interface ResolvedOptions {
    layers: LayerSpec[]
    horizon: number
    epochs: number
    seed: number
    window: number
    trainRows: number
    residual: ResidualMode
    patience: number
    batchSize: number
    learningRate: number
}

function positiveInt(v: number, flag: string, min = 1): number {
    if (!Number.isInteger(v) || v < min) throw new UserError(`${flag} must be an integer of at least ${min}, got ${v}`)
    return v
}

/** Checks every option on entry and fills in the defaults; `rows` is the number of usable rows. */
export function resolveTrainOptions(opts: TrainOptions, rows: number, targetIsInput: boolean): ResolvedOptions {
    const o = { ...TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<TrainOptions>
    const horizon = positiveInt(o.horizon, "--horizon")
    if (!(o.validation > 0 && o.validation < 1)) throw new UserError(`--validation must be a share between 0 and 1, got ${o.validation}`)
    if (!["auto", "on", "off"].includes(o.residual)) throw new UserError(`--residual must be auto, on or off, got ${o.residual}`)
    if (o.residual === "on" && !targetIsInput) throw new UserError(`--residual on adds the current ${opts.target} back, so ${opts.target} must be one of --inputs`)
    const validationRows = Math.round(rows * o.validation)
    const trainRows = rows - validationRows
    const window = o.window === undefined ? Math.min(64, Math.floor(trainRows / 4)) : positiveInt(o.window, "--window", MIN_WINDOW)
    const need = Math.max(MIN_WINDOW * 4, 2 * window) + horizon
    if (trainRows < need || validationRows < MIN_VALIDATION_ROWS + horizon)
        throw new UserError(
            `only ${rows} usable rows: training needs at least ${Math.ceil((need + MIN_VALIDATION_ROWS + horizon) / (1 - o.validation))} (two windows of ${Math.max(window, MIN_WINDOW * 2)} rows and ${MIN_VALIDATION_ROWS} validation rows, ${horizon} ahead)`
        )
    return {
        layers: parseArch(o.arch),
        horizon,
        epochs: positiveInt(o.epochs, "--epochs"),
        seed: positiveInt(o.seed, "--seed", 0),
        window,
        trainRows,
        residual: targetIsInput ? o.residual : "off",
        patience: positiveInt(o.patience, "--patience"),
        batchSize: positiveInt(o.batchSize, "--batch-size"),
        learningRate: o.learningRate,
    }
}
