/**
 * The forecast bench on real series (tools/scripts/real-series.ts lists them):
 * for each, the committed model tools/data/series/<name>.json runs on the
 * held-out rows on the simulated device (i8 weights) next to the float model
 * and the baselines, and one summary table closes the run, then the same as
 * markdown for docs/real-series.md.
 *
 *   npx tsx tools/scripts/series-bench.ts             # score the committed models
 *   npx tsx tools/scripts/series-bench.ts --retrain   # first retrain every model with `dsrnn train`
 *   npx tsx tools/scripts/series-bench.ts co2         # only the series named
 *
 * --retrain runs the list's train command (the one each model stores as
 * training.command) on bench-output/<name>-train.csv, overwriting the
 * committed model; without it a model made by another command is refused, so
 * the table never shows a stale model under a new recipe.
 */
import { main } from "../src/cli/cli.ts"
import { formatEvaluation, method } from "../src/eval/evaluate.ts"
import { percent } from "../src/core/wording.ts"
import { REAL_SERIES, type SeriesScore, madeBy, modelPath, scoreSeries, testFile, trainArgs, writeSplit } from "./real-series.ts"

const ROOT = new URL("../../", import.meta.url).pathname
process.chdir(ROOT)
const args = process.argv.slice(2)
const retrain = args.includes("--retrain")
const names = args.filter(a => !a.startsWith("--"))
const unknown = names.filter(n => !REAL_SERIES.some(s => s.name === n))
if (unknown.length) {
    console.error(`series-bench: no series ${unknown.join(", ")}; the list has ${REAL_SERIES.map(s => s.name).join(", ")}`)
    process.exit(2)
}
const chosen = REAL_SERIES.filter(s => !names.length || names.includes(s.name))

const scores: SeriesScore[] = []
for (const s of chosen) {
    const command = `dsrnn ${trainArgs(s).join(" ")}`
    console.log(`\n== ${s.name}: ${s.title} (${s.file}, ${s.target}), ${s.shape}`)
    if (retrain) {
        writeSplit(s)
        console.log(`$ npx ${command}`)
        const code = await main(["node", "dsrnn", ...trainArgs(s), "--quiet"])
        if (code !== 0) process.exit(code)
    }
    const score = await scoreSeries(s, "i8")
    const made = score.model.training?.command ?? ""
    if (!madeBy(made, s)) {
        console.error(`series-bench: ${modelPath(s)} was made by\n  ${made}\nnot by the list's command\n  ${command}\nrun with --retrain to remake it`)
        process.exit(1)
    }
    const { model, split } = score
    const best = model.training!.bestEpoch
    console.log(`model ${modelPath(s)}: ${model.layers.map(l => `${l.type}(${l.units})`).join(" > ")}, forecasts the ${model.residual ? "change (residual)" : "level"}, best epoch ${best} of ${model.training!.epochs.length}`)
    console.log(`held out: ${split.heldOutDates.join(" to ")}`)
    console.log(formatEvaluation(score.evaluation, `${testFile(s)} (the first ${split.warmup} rows are training rows the device streams before the held-out part)`))
    scores.push(score)
}

/** The baselines in the order the evaluations list them: persistence, the seasonal naive, and whatever evaluate adds (a statistical model). */
const baselineKeys: string[] = [...new Set(scores.flatMap(sc => sc.evaluation.methods.map(m => m.key)))].filter(k => k !== "float" && k !== "device")
const BASELINE_HEADS: Record<string, string> = { persistence: "persistence", seasonal: "seasonal naive", average: "moving average", statistical: "ARIMA" }

const rmse = (v: number | undefined) => (v === undefined ? "-" : v.toPrecision(4))
const head = ["series", "rows (train + held out)", "period", "device i8 RMSE", "float RMSE", ...baselineKeys.map(k => BASELINE_HEADS[k] ?? k), "device MASE", "device / float", "device against the baselines"]
const rows: string[][] = scores.map(({ series: s, split, evaluation: e }) => {
    const device = method(e, "device")!
    const float = method(e, "float")!
    const lost = e.methods.filter(m => baselineKeys.includes(m.key) && m.rmse <= device.rmse)
    const best = Math.min(...e.methods.filter(m => baselineKeys.includes(m.key)).map(m => m.rmse))
    const verdict = lost.length
        ? `loses to ${lost.map(m => `${BASELINE_HEADS[m.key] ?? m.key} (${percent(device.rmse / m.rmse - 1)} higher)`).join(", ")}`
        : `beats all (${percent(1 - device.rmse / best)} below the best)`
    return [
        s.name,
        `${split.train.length} + ${s.heldOut}`,
        `${s.period} ${s.step}s`,
        rmse(device.rmse),
        rmse(float.rmse),
        ...baselineKeys.map(k => rmse(e.methods.find(m => m.key === k)?.rmse)),
        device.mase.toPrecision(3),
        (device.rmse / float.rmse).toFixed(4),
        verdict,
    ]
})

const widths = head.map((h, c) => Math.max(h.length, ...rows.map(r => r[c].length)))
console.log(`\nheld-out RMSE in the target's units, every held-out row scored, streamed from zero state a season and a row before it; MASE on the training rows' seasonal naive MAE\n`)
console.log(head.map((h, c) => h.padEnd(widths[c])).join("  "))
for (const r of rows) console.log(r.map((v, c) => (c === 0 || c === head.length - 1 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("  "))

console.log("\nmarkdown for docs/real-series.md:\n")
console.log("| series | file (vega-datasets 3.2.1): target (inputs) | shape | held out | source | licence |")
console.log("|---|---|---|---|---|---|")
for (const { series: s, split } of scores)
    console.log(`| ${s.name} | \`${s.file}\`: ${s.target} (${s.inputs.join(", ")}) | ${s.shape} | ${split.heldOutDates.join(" to ")} | ${s.source} | ${s.licence} |`)
console.log()
console.log(`| ${head.join(" | ")} |`)
console.log(`|${head.map((_, c) => (c === 0 || c === head.length - 1 ? "---" : "---:")).join("|")}|`)
for (const r of rows) console.log(`| ${r.join(" | ")} |`)
process.exit(0)
