/**
 * `dsrnn report`: one self-contained HTML page (inline SVG charts and CSS, no
 * script, nothing fetched) on how a model forecasts rows it never saw, as the
 * device runs, and whether it fits each board.
 */
import { estimateBudget, sliceOpcodes } from "../board/budget.ts"
import { loadBoards } from "../board/boards.ts"
import type { CanonicalModel } from "../model/canonical.ts"
import { macsPerStep } from "../model/canonical.ts"
import { type Encoding, quantizationReport } from "../model/quantize.ts"
import { count } from "../model/wording.ts"
import { type Evaluation, formatFaults, intervalLine, method, periodLines, verdictLines } from "../train/evaluate.ts"
import { archOf, candidateSummary } from "../train/arch-search.ts"
import { barChart, histogramChart, renderSvg, seriesChart, thin } from "./charts.ts"

/** Points per line in the series charts: enough for hours over a year, small enough for a light page. */
const MAX_POINTS = 3000
/** Rows in the close-up chart: a week of hourly data. */
const CLOSE_UP_ROWS = 168

export interface ReportInput {
    model: CanonicalModel
    evaluation: Evaluation
    encoding: Encoding
    /** Where the rows came from, e.g. the CSV path. */
    source: string
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

function summary(m: CanonicalModel, encoding: Encoding): [string, string][] {
    const rows: [string, string][] = [
        ["layers", m.layers.map(l => `${l.type}(${l.units})`).join(" → ")],
        ["inputs", m.inputNames?.join(", ") ?? `${m.inputSize} (unnamed)`],
        ["forecasts", `${m.outputNames?.join(", ") ?? `${m.outputSize} outputs`}, ${count(m.horizon ?? 1, "row")} ahead`],
        ["mode", m.residual ? "residual: the network forecasts the change, the device adds the current value back" : "level"],
        ["weights on the device", `${encoding}, ${macsPerStep(m).toLocaleString("en-US")} multiply-adds per step`],
        ["anomaly threshold", m.anomaly ? `${m.anomaly.threshold.toPrecision(4)} (the ${m.anomaly.percentile}th percentile of validation errors)` : "none"],
    ]
    if (m.training) rows.push(["trained by", m.training.command], ["training", `${count(m.training.trainRows, "row")}, validated on the next ${m.training.validationRows}; best epoch ${m.training.bestEpoch} of ${m.training.epochs.length}`])
    if (m.training?.search) rows.push(["candidates", candidateSummary(m.training.search, archOf(m))])
    return rows
}

async function charts(input: ReportInput): Promise<{ title: string; svg: string }[]> {
    const { model, evaluation: e, encoding } = input
    const device = method(e, "device")
    const float = method(e, "float")!
    const shown = device ?? float
    const row = (i: number) => e.start + i + e.horizon + 1
    const flagged = new Set(e.faults?.flaggedRows ?? [])
    const series = [{ name: "actual", values: e.actual }, { name: "float model", values: float.predictions }, ...(device ? [{ name: `device (${encoding})`, values: device.predictions }] : [])]
    const all = series.map(s => s.values.map((value, i) => ({ row: row(i), value, series: s.name, i })))
    const lines = all.flatMap(s => thin(s, MAX_POINTS, r => flagged.has(r.i)))
    const marks = [...flagged].map(i => ({ row: row(i), value: e.actual[i] }))
    const errors = [float, ...(device ? [device] : [])].flatMap(m => thin(m.predictions.map((p, i) => ({ row: row(i), value: p - e.actual[i], series: m === device ? `device (${encoding})` : "float model" })), MAX_POINTS))
    const threshold = model.anomaly?.threshold
    const residuals = shown.predictions.map((p, i) => p - e.actual[i])
    // the last stretch of rows, where single forecasts can be told apart
    const close = Math.min(e.actual.length, CLOSE_UP_ROWS)
    const firstClose = row(e.actual.length - close)
    const specs = [
        seriesChart(`Actual vs forecast, all rows${flagged.size ? " (circles: flagged anomalies)" : ""}`, lines, model.outputNames?.[0] ?? "output", { flagged: marks }),
        seriesChart(`Actual vs forecast, the last ${close} rows`, all.flatMap(s => s.filter(r => r.row >= firstClose)), model.outputNames?.[0] ?? "output", { flagged: marks.filter(r => r.row >= firstClose) }),
        seriesChart(`Forecast error over time${threshold ? " (dashed: ± anomaly threshold)" : ""}`, errors, "forecast − actual", { rules: threshold ? [-threshold, threshold] : [], height: 200 }),
        histogramChart(`Histogram of the ${device ? "device's" : "float model's"} errors`, residuals, "forecast − actual", threshold ? [-threshold, threshold] : []),
        barChart(
            `Weight error of ${encoding} quantization, per tensor`,
            quantizationReport(model, encoding).flatMap(t => [{ label: `${t.tensor} ${t.shape}`, group: "max", value: t.maxAbs }, { label: `${t.tensor} ${t.shape}`, group: "rms", value: t.rms }]),
            "absolute weight error"
        ),
        barChart(
            "Share of each board's budget the sensor app with this model takes",
            loadBoards().flatMap(b => {
                const budget = estimateBudget(model, encoding, b)
                const slice = sliceOpcodes(budget)
                return [
                    { label: b.id, group: "image", value: (100 * budget.imageBytes) / b.imageBytes },
                    { label: b.id, group: "heap", value: (100 * budget.heapBytes) / b.heapBytes },
                    { label: b.id, group: "opcode slice", value: (100 * slice) / b.sliceOpcodes },
                ]
            }),
            "% of the board's budget",
            100
        ),
    ]
    const titles = ["forecast", "close-up", "error", "histogram", "quantization", "budget"]
    if (model.training) {
        const t = model.training.epochs
        const curve = (name: string, f: (x: (typeof t)[number]) => number) => t.map((x, i) => ({ row: i + 1, value: f(x), series: name }))
        const spec = seriesChart("Training curves (normalized MSE per epoch)", [...curve("training loss", x => x.loss), ...curve("validation window loss", x => x.windowLoss)], "MSE", { height: 180, xTitle: "epoch" })
        const stream = seriesChart("Streaming validation RMSE per epoch (real units; picks the epoch)", curve("streaming RMSE", x => x.streamRmse), "RMSE", { height: 180, xTitle: "epoch" })
        specs.push(spec, stream)
        titles.push("training", "streaming")
    }
    const svgs = await Promise.all(specs.map(renderSvg))
    return svgs.map((svg, i) => ({ title: titles[i], svg }))
}

export async function renderReport(input: ReportInput): Promise<string> {
    const { model, evaluation: e, encoding, source } = input
    const figures = await charts(input)
    const table = e.methods.map(m => `<tr><td>${esc(m.label)}</td><td>${m.rmse.toPrecision(4)}</td><td>${m.mae.toPrecision(4)}</td><td>${Number.isFinite(m.mase) ? m.mase.toPrecision(4) : "-"}</td></tr>`).join("\n")
    const verdict = [...verdictLines(e), ...(e.interval ? [intervalLine(e.interval)] : []), ...(e.faults ? formatFaults(e.faults) : [])]
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>dsrnn report: ${esc(model.name ?? "model")}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 940px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; } td, th { padding: 3px 12px; border-bottom: 1px solid #ddd; text-align: left; }
td:nth-child(n+2) { font-variant-numeric: tabular-nums; text-align: right; }
.chart { margin: 12px 0; } .chart svg { max-width: 100%; height: auto; }
.verdict { font-weight: 600; } code { background: #f4f4f4; padding: 1px 4px; }
</style></head>
<body>
<h1>dsrnn report: ${esc(model.name ?? "model")}</h1>
<p>${e.actual.length.toLocaleString("en-US")} forecasts on <code>${esc(source)}</code>, streamed from zero state one row at a time, as the device runs. Errors are in the target's own units.</p>
${periodLines(e).map(l => `<p>${esc(l)}</p>`).join("\n")}
<table><thead><tr><th>method</th><th>RMSE</th><th>MAE</th><th>MASE</th></tr></thead><tbody>
${table}
</tbody></table>
${verdict.map((l, i) => `<p${i === 0 ? ' class="verdict"' : ""}>${esc(l.trim())}</p>`).join("\n")}
<h2>Model</h2>
<table>${summary(model, encoding).map(([k, v]) => `<tr><th>${esc(k)}</th><td style="text-align:left">${esc(v)}</td></tr>`).join("")}</table>
${figures.map(f => `<div class="chart" data-chart="${f.title}">${f.svg}</div>`).join("\n")}
</body></html>
`
}
