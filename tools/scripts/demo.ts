/**
 * npm start: the bundled weather LSTM (3 sensors -> next hour's temperature)
 * run in the DeviceScript simulator over the bundled 96-hour series, with
 * i8 weights, next to what the laptop's float64 reference predicts.
 */
import { join } from "node:path"
import { compareOutputs } from "../src/cli/cli.ts"
import { readCsv } from "../src/io/csv.ts"
import { importCanonical } from "../src/import/import-model.ts"
import { ReferenceModel } from "../src/model/reference.ts"
import { simulate } from "../src/run/simulate.ts"

const data = new URL("../data/", import.meta.url).pathname
const model = importCanonical(join(data, "weather-lstm.json"))
const { header, rows } = readCsv(join(data, "weather.csv"), model.inputSize)
console.log(`model: ${model.name}, ${model.layers.map(l => `${l.type}(${l.units})`).join(" > ")}; inputs ${header.join(", ")}`)
console.log(`running ${rows.length} steps in the DeviceScript simulator (i8 weights)...`)

const device = await simulate(model, rows, { encoding: "i8" })
const laptop = new ReferenceModel(model).run(rows)

console.log("\nhour  temp now  device: next hour  laptop: next hour  actual next hour")
rows.forEach((r, t) => {
    if (t % 6 !== 5 && t !== rows.length - 1) return
    const actual = t + 1 < rows.length ? rows[t + 1][0].toFixed(2).padStart(16) : "               -"
    console.log(`${String(t).padStart(4)}  ${r[0].toFixed(2).padStart(8)}  ${device[t][0].toFixed(3).padStart(17)}  ${laptop[t][0].toFixed(3).padStart(17)}  ${actual}`)
})
const { maxAbs } = compareOutputs(device, laptop)
const forecast = device.slice(0, -1).map((y, t) => Math.abs(y[0] - rows[t + 1][0]))
console.log(`\ndevice vs laptop (float64): max difference ${maxAbs.toFixed(4)} degrees`)
console.log(`device forecast vs actual next hour: mean absolute error ${(forecast.reduce((a, b) => a + b, 0) / forecast.length).toFixed(3)} degrees`)
process.exit(0)
