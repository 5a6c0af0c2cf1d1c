/**
 * Evaluation as the device runs: the model streams the rows from zero state,
 * one step per row, and each output is scored against the target `horizon`
 * rows later (each of `horizons` against its own), in real units. The float64 reference and the device (the
 * DeviceScript VM, quantized) are scored on the same rows as two baselines a
 * model must beat: persistence (the next value is the current one) and a
 * seasonal naive forecast (the value whole seasons ago; a moving average when
 * the data has no clear period), with MASE on the training rows' naive MAE,
 * and a statistical one: the seasonal ARIMA train fitted on its training rows.
 */
import type { CanonicalModel, PredictionInterval } from "../model/canonical.ts"
import type { Encoding } from "../model/quantize.ts"
import { ReferenceModel } from "../model/reference.ts"
import { count, percent } from "../core/wording.ts"
import { simulate } from "../run/simulate.ts"
import type { ModelPlan } from "../emit/plan.ts"
import { checkFaults } from "./anomaly.ts"
import { alarmRate, durationWords } from "./alarms.ts"
import { percentile } from "./anomaly.ts"
import type { Evaluation, EventScore, FaultCheck, LabelScore, MaseScale, Method, Period, SeriesData } from "./evaluation.ts"
import { UserError } from "../core/errors.ts"
import { detectPeriod } from "../train/season.ts"
import { seasonalLag } from "../model/features.ts"
import { outputHorizons } from "../model/horizons.ts"
import { intervalCoverage } from "./intervals.ts"
import { type StatisticalFit, arimaLabel } from "../train/statistical.ts"
import { arimaForecasts, firstOrigin } from "../model/arima.ts"

export interface EvaluateOptions {
    /** Also run the device in this encoding in the VM; null: float model and baselines only. */
    encoding: Encoding | null
    /** The device's code (emit/plan.ts choosePlan); flash matrices when absent. */
    plan?: ModelPlan
    onProgress?: (done: number, total: number) => void
    /** The season; detected on the scored rows when absent. */
    period?: Period
    /** The MASE scale; the scored rows' own naive MAE when absent. */
    scale?: MaseScale
    /** The statistical baseline, fitted on the training rows; model.json's when absent. */
    statistical?: StatisticalFit
    /** Rows at the start that only warm the state up (the bench's training rows before its held-out part): none of them is scored as a forecast's target. */
    warmup?: number
}

/** Rows a moving-average baseline averages when the data has no clear period. */
const MOVING_AVERAGE_ROWS = 3

/** Hyndman & Koehler's MASE scale: the mean absolute error of the in-sample naive forecast `lag` rows back (1: persistence). */
export function naiveMae(series: number[], lag: number): number {
    let abs = 0
    for (let t = lag; t < series.length; t++) abs += Math.abs(series[t] - series[t - lag])
    return abs / (series.length - lag)
}

/** The MASE scale measured on `series`, which `rows` names ("the training rows"): train measures it on its training rows, evaluate on the scored ones. */
export function naiveScale(series: number[], period: number | null, rows: string): MaseScale {
    return { mae: naiveMae(series, period ?? 1), source: `${rows}' ${period ? `seasonal naive (${period} rows)` : "one-step naive"} MAE` }
}

function score(key: Method["key"], label: string, predictions: number[], actual: number[], scale: number): Method {
    let sq = 0
    let abs = 0
    predictions.forEach((p, i) => {
        sq += (p - actual[i]) ** 2
        abs += Math.abs(p - actual[i])
    })
    const mae = abs / actual.length
    return { key, label, predictions, rmse: Math.sqrt(sq / actual.length), mae, mase: mae / scale }
}

/** Streams the model over the rows (float64, and the device when asked) and scores its first output next to the baselines. */
export async function evaluateModel(model: CanonicalModel, data: SeriesData, opts: EvaluateOptions): Promise<Evaluation> {
    return (await evaluateOutputs(model, data, opts))[0]
}

/**
 * One evaluation per output that forecasts the target column (output 0's;
 * with `horizons`, each of them at its own horizon), each scored against the
 * baselines at its horizon. Every method of every horizon is scored on
 * forecasts made at the same rows, and the device runs once.
 */
export async function evaluateOutputs(model: CanonicalModel, data: SeriesData, opts: EvaluateOptions): Promise<Evaluation[]> {
    const horizons = outputHorizons(model)
    const scored = horizons.map((_, j) => j).filter(j => j === 0 || (model.horizons !== undefined && model.outputNames?.[j] === model.outputNames?.[0]))
    const far = Math.max(...scored.map(j => horizons[j]))
    const n = data.inputs.length
    const { target } = data
    const { rows: period, source: periodSource } = opts.period ?? { rows: detectPeriod(target), source: "detected on the scored rows" }
    // every method of every horizon is scored on forecasts made at the same rows: from the first row where
    // every horizon's seasonal naive (or the moving average) has its history
    const naiveStart = period ? Math.max(0, ...scored.map(j => seasonalLag(period, horizons[j]) - horizons[j])) : MOVING_AVERAGE_ROWS - 1
    const fit = opts.statistical ?? (model.statistical ? { model: model.statistical } : { reason: "the model has none (dsrnn train fits one on its training rows)" })
    // ... and the statistical baseline too, unless it needs more rows than there are
    const statistical = "model" in fit && n - far - Math.max(naiveStart, firstOrigin(fit.model)) >= 1 ? fit.model : undefined
    const statisticalNote = "reason" in fit ? `no statistical baseline: ${fit.reason}` : statistical ? fit.note : `no statistical baseline: its first forecast needs ${count(firstOrigin(fit.model) + far + 1, "row")}`
    const start = Math.max(statistical ? Math.max(naiveStart, firstOrigin(statistical)) : naiveStart, (opts.warmup ?? 0) - Math.min(...scored.map(j => horizons[j])))
    if (n - far - start < 1) throw new UserError(`too few rows to score: ${count(n, "row")}, and the first forecast needs ${count(start + far + 1, "row")} (${period ? `a season of ${period} rows` : `${MOVING_AVERAGE_ROWS} rows of moving average`} and ${count(far, "row")} ahead)`)
    const scale = opts.scale ?? naiveScale(target, period, "the scored rows")
    const rows = Array.from({ length: n - far - start }, (_, i) => start + i)
    const float = new ReferenceModel(model).run(data.inputs, data.times)
    const device = opts.encoding ? await simulate(model, data.inputs, { encoding: opts.encoding, plan: opts.plan, onProgress: opts.onProgress, times: data.times }) : null
    return scored.map(j => {
        const h = horizons[j]
        const actual = rows.map(t => target[t + h])
        const methods = [score("float", "float model (float64)", rows.map(t => float[t][j]), actual, scale.mae)]
        if (device) methods.push(score("device", `device (${opts.encoding}, DeviceScript VM)`, rows.map(t => device[t][j]), actual, scale.mae))
        methods.push(...baselines(target, rows, h, period, actual, scale.mae))
        if (statistical) {
            const forecasts = arimaForecasts(statistical, target, h)
            methods.push(score("statistical", arimaLabel(statistical), rows.map(t => forecasts[t]), actual, scale.mae))
        }
        const evaluation: Evaluation = { horizon: h, start, actual, methods, period, periodSource, scale, residual: !!model.residual }
        if (model.interval) evaluation.interval = measureInterval(model.interval, evaluation, j)
        if (statisticalNote) evaluation.statisticalNote = statisticalNote
        // the device flags one-step errors of its first output only
        if (model.anomaly && j === 0) evaluation.faults = checkFaults(model, data, evaluation)
        return evaluation
    })
}

/** The baselines at horizon h for forecasts made at `rows`: persistence, and the seasonal naive forecast (a moving average without a season). */
function baselines(target: number[], rows: number[], h: number, period: number | null, actual: number[], scale: number): Method[] {
    const lag = period ? seasonalLag(period, h) : 0
    return [
        score("persistence", "persistence (next = current)", rows.map(t => target[t]), actual, scale),
        period
            ? score("seasonal", `seasonal naive (${lag} rows ago)`, rows.map(t => target[t + h - lag]), actual, scale)
            : score("average", `moving average (last ${MOVING_AVERAGE_ROWS} rows)`, rows.map(t => target.slice(t - MOVING_AVERAGE_ROWS + 1, t + 1).reduce((a, b) => a + b, 0) / MOVING_AVERAGE_ROWS), actual, scale),
    ]
}

export function method(e: Evaluation, key: Method["key"]): Method | undefined {
    return e.methods.find(m => m.key === key)
}

const BASELINE_NAMES: Partial<Record<Method["key"], string>> = { persistence: "persistence", seasonal: "the seasonal naive forecast", average: "the moving average", statistical: "the ARIMA baseline" }

/** The verdict in plain words: one sentence per baseline, naming each one the model loses to. */
export function verdictLines(e: Evaluation, unit = ""): string[] {
    const model = method(e, "device") ?? method(e, "float")!
    const name = model.key === "device" ? "The device" : "The model"
    const v = (x: number) => `${x.toPrecision(4)}${unit}`
    const lines = e.methods.flatMap(b => {
        const what = BASELINE_NAMES[b.key]
        if (!what) return []
        return model.rmse < b.rmse
            ? [`${name} beats ${what}: RMSE ${v(model.rmse)} against ${v(b.rmse)} (${percent(1 - model.rmse / b.rmse)} lower).`]
            : [`${name} does NOT beat ${what}: RMSE ${v(model.rmse)} against ${v(b.rmse)} (${b.rmse > 0 ? `${percent(model.rmse / b.rmse - 1)} higher` : "it is exact on these rows"}).`]
    })
    if (lines.some(l => l.includes("does NOT"))) lines.push(`Try ${e.residual ? "" : "--target-mode change, "}more --epochs, or more data.`)
    return lines
}

/** The lines above the table: the season and the MASE scale, with where each came from, and why the statistical baseline is missing or not seasonal when so. */
export function periodLines(e: Evaluation): string[] {
    const season = e.period
        ? `period: ${e.period} rows (${e.periodSource ?? "given"}); the seasonal naive forecasts row t from row t - ${seasonalLag(e.period, e.horizon)}`
        : `no season ${e.periodSource ?? "detected"}: the seasonal naive forecast is left out, a moving average of the last ${MOVING_AVERAGE_ROWS} rows stands in`
    const lines = e.scale ? [season, `MASE = MAE / ${e.scale.mae.toPrecision(4)}, ${e.scale.source}`] : [season]
    if (e.statisticalNote) lines.push(e.statisticalNote)
    return lines
}

/** The table train and evaluate print, and the verdict in plain words. */
export function formatEvaluation(e: Evaluation, what: string, unit = ""): string {
    const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : "-").padStart(10)
    const width = Math.max(...e.methods.map(m => m.label.length))
    const lines = [
        `${what}: ${count(e.actual.length, "forecast")}, ${count(e.horizon, "row")} ahead, streamed from zero state (rows ${e.start + 1} to ${e.start + e.actual.length} scored)`,
        ...periodLines(e),
        `  ${"".padEnd(width)}  ${"RMSE".padStart(10)}  ${"MAE".padStart(10)}  ${"MASE".padStart(10)}`,
        ...e.methods.map(m => `  ${m.label.padEnd(width)}  ${fmt(m.rmse)}  ${fmt(m.mae)}  ${fmt(m.mase)}`),
        ...verdictLines(e, unit),
    ]
    if (e.interval) lines.push(intervalLine(e.interval))
    if (e.faults) lines.push(...formatFaults(e.faults))
    return lines.join("\n")
}

/** How often output j's interval around the device's forecasts (the float model's without a device) held the actual value; `e` scores output j. */
export function measureInterval(interval: PredictionInterval, e: Evaluation, j = 0): NonNullable<Evaluation["interval"]> {
    const m = method(e, "device") ?? method(e, "float")!
    return { nominal: interval.coverage, covered: intervalCoverage(interval, j, m.predictions, e.actual), lower: interval.lower[j], upper: interval.upper[j] }
}

/** "90% prediction interval [forecast - 0.31, forecast + 0.42]: covered 87.5% of these rows" */
export function intervalLine(i: NonNullable<Evaluation["interval"]>): string {
    const signed = (v: number) => (v < 0 ? `- ${(-v).toPrecision(3)}` : `+ ${v.toPrecision(3)}`)
    return `${Math.round(i.nominal * 100)}% prediction interval [forecast ${signed(i.lower)}, forecast ${signed(i.upper)}] (split conformal on the validation rows): covered ${percent(i.covered)} of these rows`
}

/**
 * The rule and what it did on these rows: "anomaly threshold 1.079 (the
 * 99.5th percentile of validation errors): 8 of 1,440 rows flagged
 * (false-alarm rate 0.6%)", and with a budget its debounce and the alarms
 * per budget unit against the budget.
 */
function anomalyRuleLine(f: FaultCheck): string {
    const pct = (a: number, b: number) => `${b ? ((100 * a) / b).toFixed(1) : "0"}%`
    const [k, n] = f.debounce ?? [1, 1]
    const b = f.budget
    const rule = b
        ? `anomaly threshold ${f.threshold.toPrecision(4)}${n > 1 ? ` on ${k} of the last ${n} rows` : ""} (for at most ${b.alarms} false alarm${b.alarms === 1 ? "" : "s"} per ${b.per}: ${count(b.validationAlarms, "alarm")} on the ${count(b.validationRows, "validation row")})`
        : `anomaly threshold ${f.threshold.toPrecision(4)} (the ${f.percentile}th percentile of validation errors)`
    const per = b?.per ?? "day"
    const rate = f.rowMs ? `, ${alarmRate(f.alarms, f.rows, f.rowMs, per).toPrecision(3)} per ${per}${b ? ` against ${b.alarms}` : ""}` : ""
    return `${rule}: ${f.flagged} of ${count(f.rows, "row")} flagged (false-alarm rate ${pct(f.flagged, f.rows)}), ${count(f.alarms, "alarm")}${rate}`
}

export function formatFaults(f: FaultCheck): string[] {
    const lines = [anomalyRuleLine(f)]
    if (f.readings) lines.push(`  reading limits on the same rows: ${count(f.readings.stuck, "row")} stuck, ${count(f.readings.jump, "jump")} (false alarms of those kinds)`)
    const injected = f.events.filter(ev => ev.count > 0)
    if (!injected.length) lines.push("  too few rows to inject events")
    for (const ev of injected) lines.push(`  ${eventLine(ev, f.rowMs)}`)
    if (f.labelled) lines.push(`  ${labelLine(f.labelled, f.rowMs)}`)
    if (f.stale) {
        const { rows, first, span } = f.stale
        lines.push(`  stale (the model's running error above persistence's for ${count(span, "row")} in a row): ${first === undefined ? "never on these rows" : `${count(rows, "row")}, from scored row ${first + 1}`}`)
    }
    return lines
}

/** The delays of detected events: "delay median 0 rows, worst 1 row (1 hour); first flagged by the residual 14, stuck 0, jump 2". */
function delayWords(d: number[], by: EventScore["detectedBy"], rowMs?: number): string {
    if (!d.length) return ""
    const time = (rows: number) => (rowMs && rows > 0 ? ` (${durationWords(rows * rowMs)})` : "")
    return `, delay median ${count(percentile(d, 50), "row")}${time(percentile(d, 50))}, worst ${count(Math.max(...d), "row")}${time(Math.max(...d))}; first flagged by the residual ${by.residual}, stuck ${by.stuck}, jump ${by.jump}`
}

/** "the CSV's labelled events: 3 of 4 detected (75%), delay ...; on the 1,200 rows labelled 0: 2 alarms, 0.04 per day" */
export function labelLine(l: LabelScore, rowMs?: number): string {
    const found = l.count ? `${l.delays.length} of ${l.count} detected (${((100 * l.delays.length) / l.count).toFixed(0)}%)${delayWords(l.delays, l.detectedBy, rowMs)}` : "none among these rows"
    const rate = rowMs && l.cleanRows ? `, ${alarmRate(l.alarms, l.cleanRows, rowMs, "day").toPrecision(3)} per day` : ""
    return `the CSV's labelled events: ${found}; on the ${count(l.cleanRows, "row")} labelled 0: ${count(l.alarms, "alarm")}${rate}`
}

/** "injected level shifts of 9.12 for 24 rows: 14 of 14 detected (100%), delay median 0 rows, worst 1 row (1 hour); by the residual 14, stuck 0, jump 2" */
export function eventLine(ev: EventScore, rowMs?: number): string {
    const what = ev.kind === "stuck" ? `stuck readings for ${count(ev.rows, "row")}` : ev.kind === "spike" ? `spikes of ${ev.size.toPrecision(3)}` : `${ev.kind}s of ${ev.size.toPrecision(3)}${ev.kind === "noise burst" ? " (standard deviation)" : ""} over ${count(ev.rows, "row")}`
    const pct = `${((100 * ev.delays.length) / ev.count).toFixed(0)}%`
    return `injected ${what}: ${ev.delays.length} of ${ev.count} detected (${pct})${delayWords(ev.delays, ev.detectedBy, rowMs)}`
}
