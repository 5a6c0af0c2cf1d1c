/**
 * npm start: the user's path on real data shipped through npm. The hourly
 * Seattle weather normals of vega-datasets (8,759 rows: pressure, temperature,
 * wind) are split by time: the first 7,319 rows to train on, the last 1,440
 * (60 days) held out. The committed model tools/data/seattle-lstm.json was
 * made by `dsrnn train` on the first part (its exact command is stored in it
 * and printed below); `npm start -- --retrain` runs that command again. The
 * held-out rows then run on the simulated device (i8 weights), next to the
 * float model and persistence, and demo-output/report.html is written.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { main } from "../src/cli/cli.ts"
import { importCanonical } from "../src/import/import-model.ts"
import { renderReport } from "../src/report/report.ts"
import { readModelColumns } from "../src/io/columns.ts"
import { evaluateModel, formatEvaluation, method, naiveScale } from "../src/eval/evaluate.ts"
import { detectPeriod } from "../src/train/season.ts"

const ROOT = new URL("../../", import.meta.url).pathname
const OUT = "demo-output"
const MODEL = "tools/data/seattle-lstm.json"
const HELD_OUT_ROWS = 1440
const started = Date.now()
process.chdir(ROOT)

// the package exports only its JS index; its data/ folder ships next to it
const lines = readFileSync(join("node_modules", "vega-datasets", "data", "seattle-weather-hourly-normals.csv"), "utf8").trim().split("\n")
const [header, ...rows] = lines
mkdirSync(OUT, { recursive: true })
const trainFile = join(OUT, "seattle-train.csv")
const testFile = join(OUT, "seattle-test.csv")
writeFileSync(trainFile, [header, ...rows.slice(0, -HELD_OUT_ROWS)].join("\n") + "\n")
writeFileSync(testFile, [header, ...rows.slice(-HELD_OUT_ROWS)].join("\n") + "\n")
console.log(`Seattle hourly weather normals (vega-datasets): ${rows.length} rows of ${header}`)
console.log(`  ${trainFile}: the first ${rows.length - HELD_OUT_ROWS} rows, to train on`)
console.log(`  ${testFile}: the last ${HELD_OUT_ROWS} rows (60 days), held out\n`)

if (process.argv.includes("--retrain")) {
    const command = importCanonical(MODEL).training!.command
    console.log(`$ npx ${command}`)
    const code = await main(["node", "dsrnn", ...command.split(" ").slice(1)])
    if (code !== 0) process.exit(code)
    console.log()
}
const model = importCanonical(MODEL)
console.log(`model ${MODEL}: ${model.layers.map(l => `${l.type}(${l.units})`).join(" > ")}, inputs ${model.inputNames!.join(", ")}, forecasts ${model.outputNames![0]} 1 hour ahead${model.residual ? " (residual)" : ""}`)
console.log(`made by: npx ${model.training!.command}\n`)

const data = readModelColumns(testFile, model, {})
console.log(`running the ${data.inputs.length} held-out rows on the simulated device (i8 weights)...`)
// the season and the MASE scale from the training rows, as train does
const trained = readModelColumns(trainFile, model, {}).target
const season = model.period ?? detectPeriod(trained)
const period = { rows: season, source: model.period ? "model.json" : "detected on the training rows" }
const evaluation = await evaluateModel(model, data, { encoding: "i8", period, scale: naiveScale(trained, season, "the training rows") })
console.log(formatEvaluation(evaluation, testFile, " °C"))
const device = method(evaluation, "device")!
const float = method(evaluation, "float")!
console.log(`device i8 RMSE / float RMSE = ${(device.rmse / float.rmse).toFixed(4)} (target <= 1.02)`)

const report = join(OUT, "report.html")
writeFileSync(report, await renderReport({ model, evaluation, encoding: "i8", source: testFile, times: data.times }))
console.log(`\nwrote ${report} (open it in a browser) in ${((Date.now() - started) / 1000).toFixed(0)} s`)
process.exit(0)
