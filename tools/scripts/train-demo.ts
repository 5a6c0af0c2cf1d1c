/**
 * Recipe for the bundled demo: a synthetic hourly weather series (temperature,
 * humidity, pressure) and an LSTM(8) trained with TensorFlow.js to predict the
 * next hour's temperature. Writes tools/data/weather.csv and
 * tools/data/weather-lstm.json (a dsrnn model with the training normalization).
 * Run: npx tsx tools/scripts/train-demo.ts
 */
import * as tf from "@tensorflow/tfjs"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { importTfjs } from "../src/import/tfjs.ts"
import { seededRandom } from "../src/model/random.ts"
import { saveTfjsModel } from "../test/helpers/tfjs-models.ts"

const HOURS = 24 * 40
const WINDOW = 24
const rand = seededRandom(42)
const noise = () => (rand() + rand() + rand() - 1.5) * 0.6

const series: number[][] = []
let pressure = 1013
for (let t = 0; t < HOURS; t++) {
    const day = Math.sin((2 * Math.PI * (t - 9)) / 24)
    pressure += (rand() - 0.5) * 0.8 + (1013 - pressure) * 0.02
    const temperature = 18 + 6 * day + 2 * Math.sin((2 * Math.PI * t) / (24 * 9)) + (1013 - pressure) * 0.15 + noise()
    const humidity = 60 - 15 * day + noise() * 3
    series.push([+temperature.toFixed(2), +humidity.toFixed(1), +pressure.toFixed(1)])
}

const columns = ["temperature", "humidity", "pressure"]
const mean = columns.map((_, j) => series.reduce((s, r) => s + r[j], 0) / HOURS)
const std = columns.map((_, j) => Math.sqrt(series.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / HOURS))
const norm = series.map(r => r.map((v, j) => (v - mean[j]) / std[j]))

// windows of 24 hours -> next hour's (normalized) temperature
const xs: number[][][] = []
const ys: number[][] = []
for (let t = WINDOW; t < HOURS - 1; t++) {
    xs.push(norm.slice(t - WINDOW, t + 1))
    ys.push([norm[t + 1][0]])
}

await tf.setBackend("cpu")
const model = tf.sequential({
    layers: [
        tf.layers.lstm({ units: 8, recurrentActivation: "sigmoid", inputShape: [null, 3] }),
        tf.layers.dense({ units: 1 }),
    ],
})
model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" })
const history = await model.fit(tf.tensor3d(xs), tf.tensor2d(ys), { epochs: 25, batchSize: 64, shuffle: true, verbose: 0 })
const losses = history.history.loss as number[]
console.log(`training loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)} (normalized units)`)

const imported = await importTfjs(await saveTfjsModel(model, mkdtempSync(join(tmpdir(), "dsrnn-demo-"))))
const demo = {
    ...imported,
    name: "weather-lstm",
    inputNames: columns,
    inputNormalization: { mean, std },
    outputNormalization: { mean: [mean[0]], std: [std[0]] },
}
const dataDir = new URL("../data/", import.meta.url).pathname
writeFileSync(join(dataDir, "weather-lstm.json"), JSON.stringify(demo) + "\n")
// the demo replays the last 4 days of the series (part of the training data)
const sample = series.slice(HOURS - 24 * 4)
writeFileSync(join(dataDir, "weather.csv"), [columns.join(","), ...sample.map(r => r.join(","))].join("\n") + "\n")
console.log(`wrote ${dataDir}weather-lstm.json and weather.csv (${sample.length} hours)`)
