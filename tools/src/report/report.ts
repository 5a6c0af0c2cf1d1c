/**
 * `dsrnn report`: one self-contained HTML page (inline SVG charts and CSS, no
 * script, nothing fetched) on how a model forecasts rows it never saw, as the
 * device runs, and whether it fits each board.
 */
import { estimateBudget, sliceOpcodes } from "../board/budget.ts"
import { boardPlan } from "../board/app-build.ts"
import { describePlan, planModel } from "../emit/plan.ts"
import { UserError } from "../core/errors.ts"
import { loadBoards } from "../board/boards.ts"
import type { CanonicalModel } from "../model/canonical.ts"
import { macsPerStep } from "../model/canonical.ts"
import { type Encoding, quantizationReport } from "../model/quantize.ts"
import { count } from "../core/wording.ts"
import { horizonText } from "../model/horizons.ts"
import { formatFaults, intervalLine, method, periodLines, verdictLines } from "../eval/evaluate.ts"
import type { Evaluation, Method } from "../eval/evaluation.ts"
import { archOf, candidateSummary } from "../train/arch-search.ts"
import { type SeriesStyle, barChart, histogramChart, renderSvg, seriesChart, thin, timelineChart } from "./charts.ts"
import { alarmStarts } from "../eval/events.ts"

/** Points per line in the series charts: enough for hours over a year, small enough for a light page. */
const MAX_POINTS = 3000
/**
 * The close-up shows whole periods: as many as fit in CLOSE_UP_MAX_ROWS (about 3.5 px a row on the
 * 840 px chart, where single forecasts can still be told apart), at most 7 (a week of days) and at least 3
 * (so a long period still shows its repeat). Without a period it shows the last CLOSE_UP_MAX_ROWS rows.
 */
const CLOSE_UP_MAX_ROWS = 240
const CLOSE_UP_MAX_PERIODS = 7
const CLOSE_UP_MIN_PERIODS = 3
/** The error-per-window chart has at most this many windows: its line stays readable at 840 px. */
const MAX_WINDOWS = 120
/** With this many windows or fewer, each also gets a dot (a single window would draw no line at all). */
const DOTTED_WINDOWS = 40
/** The series drawn in the forecast charts, bottom to top after the baselines: the models stand out, the device on top. */
const MODEL_STYLES: Record<string, Omit<SeriesStyle, "name">> = {
    actual: { color: "#222", width: 1.6 },
    float: { color: "#4c78a8", width: 2.6 },
    device: { color: "#f58518", width: 1.4 },
}
/** Baselines, in the evaluation's order: lighter, dashed, thin, under the models. */
const BASELINE_STYLES: Omit<SeriesStyle, "name">[] = [
    { color: "#a0a0a0", dash: [6, 4] },
    { color: "#54a24b", dash: [2, 3] },
    { color: "#b279a2", dash: [10, 3, 2, 3] },
    { color: "#9d755d", dash: [4, 2] },
]

export interface ReportInput {
    model: CanonicalModel
    evaluation: Evaluation
    encoding: Encoding
    /** Where the rows came from, e.g. the CSV path. */
    source: string
    /** The CSV's timestamps (epoch ms), one per data row of the file the evaluation streamed: the series charts then have time axes. */
    times?: number[]
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

function summary(m: CanonicalModel, encoding: Encoding): [string, string][] {
    const rows: [string, string][] = [
        ["layers", m.layers.map(l => `${l.type}(${l.units})`).join(" → ")],
        ["inputs", m.inputNames?.join(", ") ?? `${m.inputSize} (unnamed)`],
        ["forecasts", m.horizons ? `${m.outputNames?.[0] ?? "output 0"} ${horizonText(m.horizons)} rows ahead, one output each (plotted: ${count(m.horizons[0], "row")} ahead)` : `${m.outputNames?.join(", ") ?? `${m.outputSize} outputs`}, ${count(m.horizon ?? 1, "row")} ahead`],
        ["mode", m.residual ? "residual: the network forecasts the change, the device adds the current value back" : "level"],
        ["weights on the device", `${encoding}, ${macsPerStep(m).toLocaleString("en-US")} multiply-adds per step`],
        ["anomaly threshold", m.anomaly ? `${m.anomaly.threshold.toPrecision(4)} (the ${m.anomaly.percentile}th percentile of validation errors)` : "none"],
    ]
    if (m.training) rows.push(["trained by", m.training.command], ["training", `${count(m.training.trainRows, "row")}, validated on the next ${m.training.validationRows}; best epoch ${m.training.bestEpoch} of ${m.training.epochs.length}`])
    if (m.training?.search) rows.push(["candidates", candidateSummary(m.training.search, archOf(m))])
    return rows
}

/** Rows in the close-up: the last whole periods, as many as fit CLOSE_UP_MAX_ROWS within 3 to 7 of them (fewer when the rows run out), or a fixed stretch without a period. */
export function closeUpRows(period: number | null, rows: number): { rows: number; periods?: number } {
    if (!period) return { rows: Math.min(rows, CLOSE_UP_MAX_ROWS) }
    const wanted = Math.max(CLOSE_UP_MIN_PERIODS, Math.min(CLOSE_UP_MAX_PERIODS, Math.floor(CLOSE_UP_MAX_ROWS / period)))
    const periods = Math.min(wanted, Math.floor(rows / period))
    return periods > 0 ? { rows: periods * period, periods } : { rows }
}

/** Rows per window of the error-per-window chart: whole periods (one, unless that makes more than MAX_WINDOWS windows), or all rows when they hold less than a period. */
export function windowRows(period: number | null, rows: number): number {
    const unit = period ?? 1
    return Math.min(rows, unit * Math.max(1, Math.ceil(rows / unit / MAX_WINDOWS)))
}

/** RMSE over each whole window of `size` rows, counted back from the last row (so the close-up's periods line up), at each window's last row. */
function windowRmse(predictions: number[], actual: number[], size: number): { last: number; rmse: number }[] {
    const out = []
    for (let end = actual.length; end - size >= 0; end -= size) {
        let sq = 0
        for (let i = end - size; i < end; i++) sq += (predictions[i] - actual[i]) ** 2
        out.push({ last: end - 1, rmse: Math.sqrt(sq / size) })
    }
    return out.reverse()
}

const isBaseline = (m: Method) => m.key !== "float" && m.key !== "device"

/** The x of each scored row: its timestamp when the file has them, else its 1-based data row. */
function xOfRows(e: Evaluation, times: number[] | undefined): (i: number) => number {
    // predictions[i] forecasts data row start + i + horizon (0-based)
    const last = e.start + e.actual.length + e.horizon
    if (times && (times.length < last || times.slice(0, last).some(t => !Number.isFinite(t)))) throw new Error(`renderReport: times must give a finite epoch ms for each of the ${last} data rows, got ${times.length}`)
    return times ? i => times[e.start + i + e.horizon] : i => e.start + i + e.horizon + 1
}

/** The lane of the clean rows' false alarms on the event timeline. */
const CLEAN_LANE = "clean rows: false alarms"

/**
 * The event timeline: per injected kind (each on its own copy of the rows) its events and the alarms
 * raised there, and on top the alarms on the clean rows, on the other charts' x.
 */
function eventTimeline(e: Evaluation, times: number[] | undefined) {
    const faults = e.faults!
    const xOfDataRow = (r: number) => (times ? times[r] : r + 1)
    const from = e.start + e.horizon
    const flags = e.actual.map((_, i) => 0)
    for (const i of faults.flaggedRows) flags[i] = 1
    // a kind whose events are longer than these rows has no lane
    const kinds = faults.events.filter(ev => ev.count > 0)
    const lanes = [CLEAN_LANE, ...kinds.map(ev => `${ev.kind} (${count(ev.rows, "row")})`)]
    const events = kinds.flatMap((ev, k) => ev.events.map(v => ({ lane: lanes[k + 1], x: xOfDataRow(v.start), x2: xOfDataRow(v.end - 1), detected: v.detectedAt !== undefined })))
    const alarms = [...alarmStarts(flags).map(i => ({ lane: CLEAN_LANE, x: xOfDataRow(from + i) })), ...kinds.flatMap((ev, k) => ev.alarms.map(r => ({ lane: lanes[k + 1], x: xOfDataRow(r) })))]
    const per = Math.max(...kinds.map(ev => ev.count))
    return timelineChart("Injected events and alarms on the held-out rows", lanes, events, alarms, {
        time: !!times,
        subtitle: [`each kind injected alone into a copy of the rows, up to ${count(per, "event")} of it; bars: an event's rows, green if detected, red if missed`, "diamonds: the flag turning on (the residual rule or a reading limit)"],
    })
}

/**
 * Per board, the budget of the plan `dsrnn build` would deploy (boardPlan)
 * and that plan's code; a board nothing fits shows flash matrices, over
 * 100%.
 */
export function boardBudgets(model: CanonicalModel, encoding: Encoding) {
    return loadBoards().map(board => {
        try {
            const { plan, budget } = boardPlan(model, board, { encoding })
            return { board, code: describePlan(plan), budget }
        } catch (e) {
            if (!(e instanceof UserError)) throw e
            const flash = planModel(model, encoding, "flash-matrices")
            return { board, code: "does not fit", budget: estimateBudget(flash, board) }
        }
    })
}

/** The budget chart: the code in the title when every board gets the same, else after each board's name. */
function budgetChart(model: CanonicalModel, encoding: Encoding) {
    const boards = boardBudgets(model, encoding)
    const same = boards.every(b => b.code === boards[0].code)
    return barChart(
        "Share of each board's budget the sensor app takes",
        boards.flatMap(({ board: b, code, budget }) => {
            const label = same ? b.id : `${b.id}: ${code}`
            return [
                { label, group: "image", value: (100 * budget.imageBytes) / b.imageBytes },
                { label, group: "heap", value: (100 * budget.heapBytes) / b.heapBytes },
                { label, group: "opcode slice", value: (100 * sliceOpcodes(budget)) / b.sliceOpcodes },
            ]
        }),
        "% of the board's budget",
        100,
        // a subtitle line, not the title: a long title would widen the chart and scale its text under 12 px
        [`in the code dsrnn build deploys${same ? `: ${boards[0].code}` : " (after each board)"}`]
    )
}

async function charts(input: ReportInput): Promise<{ title: string; svg: string }[]> {
    const { model, evaluation: e, encoding, times } = input
    const device = method(e, "device")
    const float = method(e, "float")!
    const shown = device ?? float
    const x = xOfRows(e, times)
    const time = !!times
    const flagged = new Set(e.faults?.flaggedRows ?? [])
    // baselines first, so the actual values and the models are drawn over them
    const baselines = e.methods.filter(isBaseline)
    const models = [float, ...(device ? [device] : [])]
    const drawn = [...baselines, { key: "actual", label: "actual", predictions: e.actual }, ...models]
    const styles = [...baselines.map((m, b) => ({ name: m.label, ...BASELINE_STYLES[b % BASELINE_STYLES.length] })), ...drawn.slice(baselines.length).map(m => ({ name: m.label, ...MODEL_STYLES[m.key] }))]
    const all = drawn.map(s => s.predictions.map((value, i) => ({ x: x(i), value, series: s.label, i })))
    // every row of every baseline is too dense to tell apart here: the close-up and the windows show them
    const lines = all.slice(baselines.length).flatMap(s => thin(s, MAX_POINTS, r => flagged.has(r.i)))
    const marks = [...flagged].map(i => ({ x: x(i), value: e.actual[i], i }))
    const errors = models.flatMap(m => thin(m.predictions.map((p, i) => ({ x: x(i), value: p - e.actual[i], series: m.label })), MAX_POINTS))
    const threshold = model.anomaly?.threshold
    const residuals = shown.predictions.map((p, i) => p - e.actual[i])
    // the last whole periods, where single forecasts can be told apart
    const close = closeUpRows(e.period, e.actual.length)
    const firstClose = e.actual.length - close.rows
    const closeTitle = `Actual vs forecast, the last ${close.rows} rows${close.periods ? ` (${count(close.periods, "period")} of ${e.period})` : ""}`
    const yTitle = model.outputNames?.[0] ?? "output"
    const notes = (...n: (string | false)[]) => n.filter(s => s !== false)
    const dashed = baselines.length > 0 && "dashed: baselines"
    // the two models agree to a fraction of a line's width, so the float model's line shows only at its edges
    const covered = device !== undefined && "the device's line covers the float model's where they agree"
    const circled = flagged.size > 0 && "circles: flagged anomalies"
    const window = windowRows(e.period, e.actual.length)
    const windows = drawn.filter(m => m.key !== "actual").flatMap(m => windowRmse(m.predictions, e.actual, window).map(w => ({ x: x(w.last), value: w.rmse, series: m.label })))
    const periods = e.period && window % e.period === 0 ? window / e.period : 0
    const windowTitle = `RMSE over each ${periods ? `${periods === 1 ? "period" : `${periods} periods`} (${window} rows)` : `${window} rows`}, every method`
    const specs = [
        seriesChart("Actual vs forecast, all rows", lines, yTitle, { flagged: marks, styles: styles.slice(baselines.length), time, subtitle: notes(covered, baselines.length > 0 && "baselines: in the close-up and per period below", circled) }),
        seriesChart(closeTitle, all.flatMap(s => s.slice(firstClose)), yTitle, { flagged: marks.filter(r => r.i >= firstClose), styles, time, subtitle: notes(dashed, covered, circled) }),
        seriesChart(windowTitle, windows, "RMSE", { styles: styles.filter(s => s.name !== "actual"), time, height: 220, points: e.actual.length / window <= DOTTED_WINDOWS, subtitle: notes("lower is better", dashed) }),
        seriesChart(`Forecast error over time${threshold ? " (dashed: ± anomaly threshold)" : ""}`, errors, "forecast − actual", {
            rules: threshold ? [-threshold, threshold] : [],
            height: 200,
            styles: models.map(m => ({ name: m.label, ...MODEL_STYLES[m.key] })),
            time,
        }),
        histogramChart(`Histogram of the ${device ? "device's" : "float model's"} errors${threshold ? " (dashed: ± anomaly threshold)" : ""}`, residuals, "forecast − actual", threshold ? [-threshold, threshold] : []),
        barChart(
            `Weight error of ${encoding} quantization, per tensor`,
            quantizationReport(model, encoding).flatMap(t => [{ label: `${t.tensor} ${t.shape}`, group: "max", value: t.maxAbs }, { label: `${t.tensor} ${t.shape}`, group: "rms", value: t.rms }]),
            "absolute weight error"
        ),
        budgetChart(model, encoding),
    ]
    const titles = ["forecast", "close-up", "windows", "error", "histogram", "quantization", "budget"]
    if (e.faults?.events.some(ev => ev.count > 0)) {
        specs.splice(5, 0, eventTimeline(e, times))
        titles.splice(5, 0, "events")
    }
    if (model.training) {
        const t = model.training.epochs
        const curve = (name: string, f: (x: (typeof t)[number]) => number) => t.map((x, i) => ({ x: i + 1, value: f(x), series: name }))
        // the label sits on the side with more room, away from the curves' steep start
        const best = [{ x: model.training.bestEpoch, label: `epoch ${model.training.bestEpoch}: the weights kept`, left: model.training.bestEpoch > t.length / 2 }]
        const spec = seriesChart("Training curves (normalized MSE per epoch)", [...curve("training loss", x => x.loss), ...curve("validation window loss", x => x.windowLoss)], "MSE", { height: 180, xTitle: "epoch", marks: best })
        const stream = seriesChart("Streaming validation RMSE per epoch (real units; picks the epoch)", curve("streaming RMSE", x => x.streamRmse), "RMSE", { height: 180, xTitle: "epoch", marks: best })
        specs.push(spec, stream)
        titles.push("training", "streaming")
    }
    const svgs = await Promise.all(specs.map(renderSvg))
    return svgs.map((svg, i) => ({ title: titles[i], svg }))
}

/** The page's first claim: whether the device (or the float model) beats every baseline, naming those it does not. */
function headline(e: Evaluation): { text: string; lost: boolean } {
    const model = method(e, "device") ?? method(e, "float")!
    const who = model.key === "device" ? "The device" : "The model"
    const baselines = e.methods.filter(isBaseline)
    const lost = baselines.filter(b => b.rmse <= model.rmse)
    return lost.length
        ? { text: `${who} does NOT beat ${lost.length} of the ${count(baselines.length, "baseline")} on RMSE: ${lost.map(b => b.label).join(", ")}.`, lost: true }
        : { text: `${who} beats every baseline on RMSE: ${baselines.map(b => b.label).join(", ")}.`, lost: false }
}

/** Section headings, each placed before the chart it names. */
const HEADINGS: Record<string, string> = { forecast: "Forecasts on the held-out rows", quantization: "On the boards", training: "Training" }

export async function renderReport(input: ReportInput): Promise<string> {
    const { model, evaluation: e, encoding, source } = input
    const figures = await charts(input)
    const table = e.methods.map(m => `<tr><td>${esc(m.label)}</td><td>${m.rmse.toPrecision(4)}</td><td>${m.mae.toPrecision(4)}</td><td>${Number.isFinite(m.mase) ? m.mase.toPrecision(4) : "-"}</td></tr>`).join("\n")
    const verdict = [...verdictLines(e), ...(e.interval ? [intervalLine(e.interval)] : []), ...(e.faults ? formatFaults(e.faults) : [])]
    const head = headline(e)
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>dsrnn report: ${esc(model.name ?? "model")}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 940px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; } td, th { padding: 3px 12px; border-bottom: 1px solid #ddd; text-align: left; }
td:nth-child(n+2) { font-variant-numeric: tabular-nums; text-align: right; }
.chart { margin: 12px 0; } .chart svg { max-width: 100%; height: auto; }
.verdict { font-weight: 600; font-size: 17px; } .lost { color: #a30000; } code { background: #f4f4f4; padding: 1px 4px; }
</style></head>
<body>
<h1>dsrnn report: ${esc(model.name ?? "model")}</h1>
<p>${e.actual.length.toLocaleString("en-US")} forecasts on <code>${esc(source)}</code>, streamed from zero state one row at a time, as the device runs. Errors are in the target's own units.</p>
<p class="verdict${head.lost ? " lost" : ""}">${esc(head.text)}</p>
${periodLines(e).map(l => `<p>${esc(l)}</p>`).join("\n")}
<table><thead><tr><th>method</th><th>RMSE</th><th>MAE</th><th>MASE</th></tr></thead><tbody>
${table}
</tbody></table>
${verdict.map(l => `<p>${esc(l.trim())}</p>`).join("\n")}
<h2>Model</h2>
<table>${summary(model, encoding).map(([k, v]) => `<tr><th>${esc(k)}</th><td style="text-align:left">${esc(v)}</td></tr>`).join("")}</table>
${figures.map(f => `${HEADINGS[f.title] ? `<h2>${HEADINGS[f.title]}</h2>\n` : ""}<div class="chart" data-chart="${f.title}">${f.svg}</div>`).join("\n")}
</body></html>
`
}
