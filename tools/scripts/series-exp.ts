/**
 * One training recipe on a real series (tools/scripts/real-series.ts), scored
 * in float64 on its held-out rows next to the baselines, without touching the
 * committed model: to measure a change of recipe side by side.
 *
 *     nice npx tsx tools/scripts/series-exp.ts seattle-wind ['{"epochs":100}']
 */
import { readColumns } from "../src/io/columns.ts"
import { trainOptions } from "../src/cli/train-options.ts"
import { train } from "../src/train/train.ts"
import { evaluateModel, method, naiveScale } from "../src/eval/evaluate.ts"
import { fitStatistical } from "../src/train/statistical.ts"
import { REAL_SERIES, testFile, trainFile, writeSplit } from "./real-series.ts"

const [name, overrides = "{}"] = process.argv.slice(2)
// the demo's series (tools/scripts/demo.ts): the hourly file's temperature, the same split as seattle-wind
const wind = REAL_SERIES.find(r => r.name === "seattle-wind")!
const demo = { ...wind, name: "demo", target: "temperature", inputs: ["temperature", "pressure"] }
const s = [...REAL_SERIES, demo].find(r => r.name === name)
if (!s) throw new Error(`no series ${name}`)
const dir = `bench-output/exp-${process.pid}`
const split = writeSplit(s, dir)
const data = readColumns(trainFile(s, dir), { target: s.target, inputs: s.inputs })
// the overrides in the flags' words, checked as train's flags are
const opts = trainOptions({ target: s.target, inputs: s.inputs, horizon: 1, arch: "lstm:16", epochs: 60, seed: 1, validation: 0.2, targetMode: "auto", derived: "auto", ...JSON.parse(overrides) }, data.inputNames.includes(s.target))
const started = Date.now()
const { model } = await train(data, opts, "series-exp")
const test = readColumns(testFile(s, dir), { target: s.target, inputs: s.inputs })
const period = { rows: s.period, source: "list" }
const e = await evaluateModel(model, test, { encoding: null, period, scale: naiveScale(data.target, s.period, "training"), statistical: fitStatistical(data.target, s.period), warmup: split.warmup })
const f = method(e, "float")!
const stat = method(e, "statistical")
const rec = model.training!
console.log(`${name} ${overrides}: float ${f.rmse.toFixed(5)}  ARIMA ${stat?.rmse.toFixed(5)}  ratio ${stat ? (f.rmse / stat.rmse).toFixed(3) : "-"}  seasonal ${method(e, "seasonal")?.rmse.toFixed(5)}  persistence ${method(e, "persistence")?.rmse.toFixed(5)}  | ${rec.chosen?.target} ${JSON.stringify(rec.chosen?.derived)} ${rec.epochs.length} ep best ${rec.bestEpoch} | ${((Date.now() - started) / 1000).toFixed(0)} s`)
process.exit(0)
