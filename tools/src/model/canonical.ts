/**
 * The canonical model: the one description every stage of the compiler speaks.
 * Importers produce it, the quantizer and emitter consume it, the float64
 * reference runs it. Matrices are row-major number[][] with one row per output
 * unit, so `W[r]` is the weight row that produces output r.
 */

export const CANONICAL_FORMAT = "dsrnn-model"
export const CANONICAL_VERSION = 1

export type Activation =
    | "linear"
    | "relu"
    | "sigmoid"
    /** max(0, min(1, 0.2 x + 0.5)): TensorFlow.js and Keras 2. */
    | "hard_sigmoid"
    | "tanh"
    | "softmax"

export type Matrix = number[][]

/** h_t = act(Wx x_t + bx + Wh h_{t-1} + bh) */
export interface RnnLayer {
    type: "rnn"
    inputSize: number
    units: number
    activation: Activation
    Wx: Matrix // units x inputSize
    Wh: Matrix // units x units
    bx: number[]
    bh: number[]
    hiddenBits?: number
}

/** Gate blocks of Wx, Wh, bx, bh in the order [i, f, c, o] (Keras order), each `units` rows. */
export interface LstmLayer {
    type: "lstm"
    inputSize: number
    units: number
    activation: Activation
    recurrentActivation: Activation
    Wx: Matrix // 4 units x inputSize
    Wh: Matrix // 4 units x units
    bx: number[]
    bh: number[]
    hiddenBits?: number
}

/**
 * Gate blocks in the order [z, r, n] (the Keras order, which calls the
 * candidate's block h; src/gru.ts and docs/spec.md call it n), each `units` rows.
 * resetAfter (Keras reset_after, PyTorch, ONNX linear_before_reset=1):
 *   n = act(Wx_n x + bx_n + r * (Wh_n h + bh_n))
 * otherwise:
 *   n = act(Wx_n x + bx_n + Wh_n (r * h) + bh_n)
 * and h' = z * h + (1 - z) * n.
 */
export interface GruLayer {
    type: "gru"
    inputSize: number
    units: number
    activation: Activation
    recurrentActivation: Activation
    resetAfter: boolean
    Wx: Matrix // 3 units x inputSize
    Wh: Matrix // 3 units x units
    bx: number[]
    bh: number[]
    hiddenBits?: number
}

/** y = act(W x + b) */
export interface DenseLayer {
    type: "dense"
    inputSize: number
    units: number
    activation: Activation
    W: Matrix // units x inputSize
    b: number[]
}

export type RecurrentLayer = RnnLayer | LstmLayer | GruLayer
// `hiddenBits` (set by quantizeModel, never read from a file): W_h multiplies
// h rounded to a multiple of 2^-hiddenBits (half away from zero), so that i8
// code can sum two rows in one exact float64 (see hiddenBits in quantize.ts).
export type Layer = RecurrentLayer | DenseLayer

/** x_normalized = (x - mean) / std, per feature; outputs are de-normalized with y * std + mean. */
export interface Normalization {
    mean: number[]
    std: number[]
}

/** How `dsrnn train` made a model. Informational: the report draws it, no stage computes with it. */
export interface TrainingRecord {
    /** The command line that made the model, to reproduce it. */
    command: string
    /** Rows of the user's file in the training and the validation part (chronological split). */
    trainRows: number
    validationRows: number
    /** Per epoch: window loss on the training part, window loss on the validation part (both MSE in normalized units), streaming RMSE on the validation part (real units). */
    epochs: { loss: number; windowLoss: number; streamRmse: number }[]
    /** The epoch (1-based, as training prints it: `epochs[bestEpoch - 1]`) whose weights the model holds: the best streaming validation RMSE. */
    bestEpoch: number
    /** What train chose to forecast (level, change from the current value, change from the seasonal naive) and which derived inputs of the target it added. */
    chosen?: { target: "level" | "change" | "season" | "statistical"; derived: { change: boolean; season: boolean; calendar: Cycle[]; statistical?: boolean } }
    /** When train chose among several: each candidate's best streaming validation RMSE, its epochs, and the round after which it was dropped. */
    candidates?: { label: string; rmse: number; bestEpoch: number; epochs: number; droppedAfter?: number; stalled: boolean }[]
    /** --arch auto: the board and sample period the candidates were checked against, and each candidate. */
    search?: { board: string; periodMs: number; candidates: ArchCandidate[] }
}

/** One architecture --arch auto considered: skipped before training when it does not fit the board. */
export interface ArchCandidate {
    /** As --arch takes it, e.g. "lstm:16". */
    arch: string
    fits: boolean
    /** Why it does not fit, in one line. */
    why?: string
    /** Estimated milliseconds per step on the board, when the board has a speed figure. */
    stepMs?: number
    /** Best streaming validation RMSE, when it was trained. */
    streamRmse?: number
}

/** The anomaly flag's threshold, calibrated on validation residuals. */
export interface AnomalyThreshold {
    /** |forecast - observation| above this, in the output's real units, is an anomaly. */
    threshold: number
    /** The percentile of the absolute validation residuals the threshold is, e.g. 99.5. */
    percentile: number
    /**
     * [count, window]: the flag is on while at least count of the last
     * window rows were over the threshold (src/anomaly.ts AnomalyCheck).
     * Absent (every model before train --false-alarms): [1, 1], each row over it.
     */
    debounce?: [number, number]
    /**
     * For a model forecasting several inputs: each output's validation spread
     * (eval/anomaly.ts outputScales). The threshold is then on one score, the
     * root mean square of the errors each divided by its scale. Absent: each
     * output's |error| against the threshold.
     */
    scales?: number[]
    /** The false-alarm budget train calibrated the threshold and debounce for (--false-alarms); absent for a percentile threshold. */
    budget?: AlarmBudget
}

/**
 * Faults the forecast residual cannot see, per reading (the model's inputs
 * before the derived ones), calibrated by train on its training rows
 * (eval/reading-limits.ts) and checked by the device's ReadingCheck
 * (src/reading-check.ts). 0 turns a limit off.
 */
export interface ReadingLimits {
    /** A reading equal to the previous ones this many readings in a row is stuck: the longest run of equal readings in training, plus a margin. */
    stuckRows: number[]
    /** |reading - previous reading| above this is a jump: the largest change in training, plus a margin. */
    maxChange: number[]
}

/**
 * The stale flag (src/stale.ts StaleCheck): the model's and persistence's
 * one-step errors as running means over about `window` rows; stale once the
 * model's has been above persistence's `span` rows in a row. train sets
 * `span` so that its validation rows never go stale (eval/stale.ts).
 */
export interface StaleRule {
    window: number
    span: number
}

/** A time unit a false-alarm budget is counted in, and its length. */
export type AlarmUnit = "hour" | "day" | "week"
export const ALARM_UNIT_MS: Record<AlarmUnit, number> = { hour: 3_600_000, day: 86_400_000, week: 604_800_000 }
/** The longest debounce window a model may ask for: the device keeps one number per row of it (AnomalyCheck's ring). */
export const MAX_DEBOUNCE_WINDOW = 16

/**
 * At most `alarms` false alarms per `per` on clean rows: an alarm is the flag
 * turning on (a run of flagged rows is one alarm), as a user is alerted.
 */
export interface AlarmBudget {
    alarms: number
    per: AlarmUnit
    /** Milliseconds between rows (the training file's timestamps, or --sample-period): what turns rows into time. */
    rowMs: number
    /** What the calibrated rule did on the validation rows: alarms raised on that many rows. */
    validationAlarms: number
    validationRows: number
}

/** A calendar cycle whose phase is an input, as its sine and cosine. */
export type Cycle = "day" | "week" | "year"

/**
 * Inputs the forecaster computes from the readings, in fixed state, so the
 * network sees more than the current reading. They follow the readings in
 * the network's input, in this order: each `change`, each `season`, then
 * each `seasonChange`, then sin and cos of each `calendar` cycle.
 */
export interface DerivedInputs {
    /** Readings (indices) whose change since the previous reading is an input; 0 at the first reading. */
    change?: number[]
    /**
     * Readings whose seasonal naive value is an input: the reading
     * `seasonalLag(period, horizon) - horizon` rows before the current one,
     * from a ring of that many readings (the oldest one seen until it fills).
     */
    season?: number[]
    /**
     * Readings whose change over one season is an input: the reading minus
     * the one `seasonalLag(period, horizon)` rows before it (the oldest one
     * seen until there are that many). The seasonal difference of the airline
     * model: what a seasonal naive forecast of the next rows misses by.
     */
    seasonChange?: number[]
    /** Cycles whose phase at the reading's time is an input. */
    calendar?: Cycle[]
    /**
     * Readings whose forecast by the model's statistical baseline
     * (`statistical`, fitted on the target's training rows, so only the
     * target's reading) is an input: its forecast of the row the model
     * forecasts, or the current reading until the recursion has its history.
     */
    statistical?: number[]
    /** Milliseconds between readings: the device's clock advances by it each step when it is not given a time. */
    rowMs?: number
}

/**
 * A split-conformal prediction interval per output: [y + lower[j], y + upper[j]]
 * around forecast y[j] covers the actual value with probability `coverage`,
 * as measured on the validation rows.
 */
export interface PredictionInterval {
    coverage: number
    lower: number[]
    upper: number[]
}

/**
 * A seasonal ARIMA(p,d,q)(P,D,Q)s that train fits on its training rows: the
 * statistical baseline evaluate and report run over the scored rows with these
 * coefficients, never refitted. Signs as in R and statsmodels:
 * phi(B) PHI(B^s) (1 - B)^d (1 - B^s)^D (y - mean) = theta(B) THETA(B^s) e,
 * with phi(B) = 1 - sum ar[i] B^(i+1) and theta(B) = 1 + sum ma[j] B^(j+1).
 */
export interface SeasonalArima {
    kind: "arima"
    /** p, d, q. */
    order: [number, number, number]
    /** P, D, Q: all 0, with period 0, for a model without a season. */
    seasonal: [number, number, number]
    period: number
    ar: number[]
    ma: number[]
    seasonalAr: number[]
    seasonalMa: number[]
    /** Subtracted before the ARMA part; 0 when the model differences. */
    mean: number
    /** The variance of the innovations on the fitted rows. */
    variance: number
    /** How many rows it was fitted on: the last of the training rows. */
    rows: number
    /** The library and method that fitted it, e.g. "arima 0.2.8 (ctsa), exact maximum likelihood". */
    fitter: string
}

export interface CanonicalModel {
    format: typeof CANONICAL_FORMAT
    version: typeof CANONICAL_VERSION
    name?: string
    inputSize: number
    outputSize: number
    layers: Layer[]
    inputNormalization?: Normalization
    outputNormalization?: Normalization
    /** Names of the readings in order, e.g. ["temperature", "humidity"]: the first inputs; derived inputs follow them (`features`). */
    inputNames?: string[]
    /** Names of the outputs in order: the column each output forecasts, e.g. ["temperature"]. */
    outputNames?: string[]
    /** Each output forecasts its column this many rows ahead; 1 when absent. */
    horizon?: number
    /**
     * Instead of `horizon`, one per output: output j forecasts its column
     * horizons[j] rows ahead, e.g. [1, 2, 3] for one column three rows out
     * (model/horizons.ts). Derived season inputs and a seasonal residual base
     * depend on one horizon, so they are refused with several.
     */
    horizons?: number[]
    /**
     * Residual mode: per output, the input whose current raw value is added to
     * the de-normalized output. The network forecasts the change, so the model
     * follows a series beyond the levels it was trained on.
     */
    residual?: number[]
    /**
     * What residual mode adds back: the reading's current value ("current",
     * the default: the network forecasts the change), or its seasonal naive
     * value ("season": the change from the reading one season before the
     * forecast row, which must then be a derived input, `features.season`).
     */
    residualBase?: "current" | "season" | "statistical"
    /** Inputs the forecaster derives from the readings, after them in the network's input (see model/features.ts). */
    features?: DerivedInputs
    /** The target's season in rows, detected on the training rows or given to train with --period: evaluate and report's seasonal naive baseline. */
    period?: number
    /** The statistical baseline, fitted by train on its training rows. */
    statistical?: SeasonalArima
    anomaly?: AnomalyThreshold
    /** Stuck-sensor and rate-of-change limits per reading; absent (every model before them): no such check. */
    readingLimits?: ReadingLimits
    /** When the model has lost to persistence too long on the device; absent (models before it): no stale flag. */
    stale?: StaleRule
    interval?: PredictionInterval
    training?: TrainingRecord
}

/** Number of gate blocks stacked in Wx / Wh of a recurrent layer. */
export function gateCount(layer: RecurrentLayer): number {
    return layer.type === "lstm" ? 4 : layer.type === "gru" ? 3 : 1
}

/** Multiply-adds one time step of a layer costs. */
export function layerMacs(l: Layer): number {
    return l.type === "dense" ? l.units * l.inputSize : gateCount(l) * l.units * (l.inputSize + l.units)
}

/** Multiply-adds one time step of the model costs. */
export function macsPerStep(model: CanonicalModel): number {
    return model.layers.reduce((n, l) => n + layerMacs(l), 0)
}
