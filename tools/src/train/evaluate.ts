/**
 * Evaluation as the device runs: the model streams the rows from zero state,
 * one step per row, and each output is scored against the target `horizon`
 * rows later, in real units. The float64 reference and the device (the
 * DeviceScript VM, quantized) are scored on the same rows as two baselines a
 * model must beat: persistence (the next value is the current one) and a
 * seasonal naive forecast (the value one period ago; a moving average when
 * the data has no clear period).
 */
import type { CanonicalModel } from "../model/canonical.ts"
import type { Encoding } from "../model/quantize.ts"
import { ReferenceModel } from "../model/reference.ts"
import { count, percent } from "../model/wording.ts"
import { simulate } from "../run/simulate.ts"
import type { CodePlan } from "../emit/paths.ts"
import { type FaultCheck, checkFaults } from "./anomaly.ts"

export interface Method {
    key: "float" | "device" | "persistence" | "seasonal"
    label: string
    /** predictions[i] forecasts actual[i]. */
    predictions: number[]
    rmse: number
    mae: number
}

export interface Evaluation {
    horizon: number
    /** The first scored row: predictions[i] is made at row start + i, for row start + i + horizon. */
    start: number
    actual: number[]
    methods: Method[]
    /** The seasonal baseline's period in rows, or null when it is a moving average. */
    period: number | null
    /** Anomaly flags on these rows, when the model has a threshold. */
    faults?: FaultCheck
    /** The model forecasts the change of its target (residual mode). */
    residual: boolean
}

export interface SeriesData {
    inputs: number[][]
    target: number[]
}

export interface EvaluateOptions {
    /** Also run the device in this encoding in the VM; null: float model and baselines only. */
    encoding: Encoding | null
    specialize?: CodePlan
    onProgress?: (done: number, total: number) => void
}

/** Rows a moving-average baseline averages when the data has no clear period. */
const MOVING_AVERAGE_ROWS = 3
/** Smallest autocorrelation that counts as a period (and at least 3 / sqrt(n), well above the noise of n samples). */
const MIN_SEASONAL_ACF = 0.3

/**
 * The period of the series: the first lag where the autocorrelation of its
 * changes (the level's trend would mask it) peaks nearly as high as its
 * highest peak, if that peak is clear; otherwise null.
 */
export function seasonalPeriod(series: number[]): number | null {
    const d = series.slice(1).map((v, i) => v - series[i])
    const n = d.length
    const mean = d.reduce((a, b) => a + b, 0) / n
    const variance = d.reduce((a, v) => a + (v - mean) ** 2, 0)
    if (variance === 0) return null
    const acf = (lag: number) => {
        let s = 0
        for (let i = lag; i < n; i++) s += (d[i] - mean) * (d[i - lag] - mean)
        return s / variance
    }
    const maxLag = Math.min(400, Math.floor(n / 3))
    const floor = Math.max(MIN_SEASONAL_ACF, 3 / Math.sqrt(n))
    const r = Array.from({ length: maxLag + 2 }, (_, lag) => acf(lag))
    const peaks = r.map((v, lag) => lag).filter(lag => lag >= 2 && lag <= maxLag && r[lag] > r[lag - 1] && r[lag] >= r[lag + 1] && r[lag] > floor)
    if (!peaks.length) return null
    // multiples of the period peak almost as high: take the first peak near the highest
    const top = Math.max(...peaks.map(lag => r[lag]))
    return peaks.find(lag => r[lag] >= 0.9 * top)!
}

function score(key: Method["key"], label: string, predictions: number[], actual: number[]): Method {
    let sq = 0
    let abs = 0
    predictions.forEach((p, i) => {
        sq += (p - actual[i]) ** 2
        abs += Math.abs(p - actual[i])
    })
    return { key, label, predictions, rmse: Math.sqrt(sq / actual.length), mae: abs / actual.length }
}

/** Streams the model over the rows (float64, and the device when asked) and scores it next to the baselines. */
export async function evaluateModel(model: CanonicalModel, data: SeriesData, opts: EvaluateOptions): Promise<Evaluation> {
    const h = model.horizon ?? 1
    const n = data.inputs.length
    const { target } = data
    const period = seasonalPeriod(target)
    const lookback = period ?? MOVING_AVERAGE_ROWS
    // every method is scored on the same rows: those where the seasonal baseline has its history
    const start = Math.max(0, lookback - h, period ? 0 : lookback - 1)
    const rows = Array.from({ length: n - h - start }, (_, i) => start + i)
    const actual = rows.map(t => target[t + h])
    const float = new ReferenceModel(model).run(data.inputs).map(y => y[0])
    const methods = [score("float", "float model (float64)", rows.map(t => float[t]), actual)]
    if (opts.encoding) {
        const device = await simulate(model, data.inputs, { encoding: opts.encoding, specialize: opts.specialize, onProgress: opts.onProgress })
        methods.push(score("device", `device (${opts.encoding}, DeviceScript VM)`, rows.map(t => device[t][0]), actual))
    }
    methods.push(score("persistence", "persistence (next = current)", rows.map(t => target[t]), actual))
    const seasonal = period
        ? score("seasonal", `seasonal naive (value ${period} rows before)`, rows.map(t => target[t + h - period]), actual)
        : score("seasonal", `moving average (last ${MOVING_AVERAGE_ROWS} rows)`, rows.map(t => target.slice(t - MOVING_AVERAGE_ROWS + 1, t + 1).reduce((a, b) => a + b, 0) / MOVING_AVERAGE_ROWS), actual)
    methods.push(seasonal)
    const evaluation: Evaluation = { horizon: h, start, actual, methods, period, residual: !!model.residual }
    if (model.anomaly) evaluation.faults = checkFaults(model, data, evaluation)
    return evaluation
}

export function method(e: Evaluation, key: Method["key"]): Method | undefined {
    return e.methods.find(m => m.key === key)
}

/** The table train and evaluate print, and the verdict in plain words. */
export function formatEvaluation(e: Evaluation, what: string, unit = ""): string {
    const fmt = (v: number) => v.toPrecision(4).padStart(10)
    const width = Math.max(...e.methods.map(m => m.label.length))
    const model = method(e, "device") ?? method(e, "float")!
    const persistence = method(e, "persistence")!
    const lines = [
        `${what}: ${count(e.actual.length, "forecast")}, ${count(e.horizon, "row")} ahead, streamed from zero state (rows ${e.start + 1} to ${e.start + e.actual.length} scored)`,
        `  ${"".padEnd(width)}  ${"RMSE".padStart(10)}  ${"MAE".padStart(10)}`,
        ...e.methods.map(m => `  ${m.label.padEnd(width)}  ${fmt(m.rmse)}  ${fmt(m.mae)}`),
    ]
    const name = model.key === "device" ? "The device" : "The model"
    lines.push(
        model.rmse < persistence.rmse
            ? `${name} beats persistence: RMSE ${model.rmse.toPrecision(4)}${unit} against ${persistence.rmse.toPrecision(4)}${unit} (${percent(1 - model.rmse / persistence.rmse)} lower).`
            : `${name} does NOT beat persistence: repeating the last value forecasts better (RMSE ${persistence.rmse.toPrecision(4)}${unit} against ${model.rmse.toPrecision(4)}${unit}). Try ${e.residual ? "" : "--residual on, "}more --epochs, or more data.`
    )
    if (e.faults) lines.push(...formatFaults(e.faults))
    return lines.join("\n")
}

function formatFaults(f: FaultCheck): string[] {
    const pct = (a: number, b: number) => `${b ? ((100 * a) / b).toFixed(1) : "0"}%`
    const lines = [`anomaly threshold ${f.threshold.toPrecision(4)} (the ${f.percentile}th percentile of validation errors): ${f.flagged} of ${count(f.rows, "row")} flagged (false-alarm rate ${pct(f.flagged, f.rows)})`]
    if (f.spike.count) lines.push(`  injected spikes of ${f.spike.magnitude.toPrecision(3)} (3 standard deviations): ${f.spike.detected} of ${f.spike.count} detected (${pct(f.spike.detected, f.spike.count)})`)
    if (f.stuck.count) lines.push(`  stuck sensor for ${count(f.stuck.rows, "row")}: ${f.stuck.detected} of ${f.stuck.count} detected (${pct(f.stuck.detected, f.stuck.count)})`)
    if (!f.spike.count && !f.stuck.count) lines.push("  too few rows to inject faults")
    return lines
}
