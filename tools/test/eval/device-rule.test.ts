/**
 * Issue 20 item 6, "behaves the same through simulate": the anomaly rule as
 * the device runs it (the committed demo model in i8, stepped through a
 * Forecaster with the time set per row as `dsrnn simulate` steps it, the
 * debounced AnomalyCheck and the ReadingCheck as anomaly() and the sensor
 * app call them) flags the same rows as evaluate's host rule (events.ts
 * injectedFlags: the float64 reference, ruleFlags, readingKinds) on 600
 * held-out hours with an event of each injected kind. The host runs the
 * float64 reference of the same i8 weights (the float model's forecasts are
 * up to 0.003 °C off the i8 device's here, more than the closest residual's
 * distance to the threshold). The comparison only means something if no
 * residual sits closer to the threshold than the device's forecasts differ
 * from the reference's: that is checked too.
 */
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { DATA_DIR } from "../../scripts/real-series.ts"
import { importCanonical } from "../../src/import/import-model.ts"
import { readModelColumns } from "../../src/io/columns.ts"
import { EVENT_KINDS, type InjectedRows, injectEvents, injectedFlags } from "../../src/eval/events.ts"
import { calibrateReadingLimits } from "../../src/eval/reading-limits.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { quantizeModel } from "../../src/model/quantize.ts"
import { REPO_ROOT } from "../helpers/cli.ts"
import { runWithWeatherModel } from "../helpers/app-vm.ts"

/** The demo's held-out rows are the file's last 1440; these are the first ROWS of them. */
const HELD_OUT = 1440
const ROWS = 600
/** A debounce other than 1 of 1, so the device's ring is exercised. */
const DEBOUNCE: [number, number] = [2, 3]

const committed = importCanonical(join(REPO_ROOT, "tools/data/seattle-lstm.json"))
const all = readModelColumns(join(REPO_ROOT, DATA_DIR, "seattle-weather-hourly-normals.csv"), committed, {})
const first = all.target.length - HELD_OUT
const model: CanonicalModel = {
    ...committed,
    anomaly: { ...committed.anomaly!, debounce: DEBOUNCE },
    readingLimits: calibrateReadingLimits(all.inputs.slice(0, first), committed.inputNames!.length),
}
const data = { inputs: all.inputs.slice(first, first + ROWS), target: all.target.slice(first, first + ROWS), times: all.times!.slice(first, first + ROWS) }

/** One copy of the rows with the events of every kind in turn: event i is EVENT_KINDS[i % 5]'s i-th event, the rows between them clean. */
function mixedEvents(): InjectedRows {
    const copies = EVENT_KINDS.map(kind => injectEvents(model, data, 0, kind))
    const mixed: InjectedRows = { inputs: data.inputs.map(r => r.slice()), observed: data.target.slice(), events: [] }
    copies[0].events.forEach((_, i) => {
        const copy = copies[i % copies.length]
        const span = copy.events[i]
        if (!span) return
        for (let t = span[0]; t < span[1]; t++) {
            mixed.inputs[t] = copy.inputs[t]
            mixed.observed[t] = copy.observed[t]
        }
        mixed.events.push(span)
    })
    return mixed
}

/** The device: per row its time and readings as f64 in a hex literal; per row a line "R flag kinds forecast-hex". */
function program(rows: InjectedRows): string {
    const readings = rows.inputs[0].length
    const bytes = Buffer.alloc(8 * ROWS * (1 + readings))
    rows.inputs.forEach((r, t) => [data.times[t], ...r].forEach((v, j) => bytes.writeDoubleLE(v, 8 * (t * (1 + readings) + j))))
    const k = model.inputNames!.indexOf(model.outputNames![0])
    const limits = model.readingLimits!
    return `import * as ds from "@devicescript/core"
import { AnomalyCheck, Forecaster, ReadingCheck, zeros } from "./lib/index"
import { model, scaling } from "./model"

const ROWS = hex\`${bytes.toString("hex")}\`
const forecaster = new Forecaster(model, scaling, false)
const anomaly = new AnomalyCheck([${k}], ${model.anomaly!.threshold}, [${DEBOUNCE.join(", ")}])
const reading = new ReadingCheck([${limits.stuckRows.join(", ")}], [${limits.maxChange.join(", ")}])
const raw = zeros(${readings})
const out = Buffer.alloc(8)
for (let t = 0; t < ${ROWS}; t++) {
    const at = 8 * t * ${1 + readings}
    forecaster.setTime(ROWS.getAt(at, "f64"))
    for (let j = 0; j < ${readings}; j++) raw[j] = ROWS.getAt(at + 8 * (1 + j), "f64")
    const flag = anomaly.check(raw)
    const kinds = reading.check(raw)
    const y = await forecaster.step(raw)
    anomaly.remember(y)
    out.setAt(0, "f64", y[0])
    console.log("R " + flag + " " + kinds + " " + out.toString("hex"))
    // as simulate's loop: the watchdog counts the whole run otherwise
    await ds.sleep(0)
}
console.log("DONE")
`
}

describe("the anomaly rule on the device, as evaluate's host rule", () => {
    it("flags the same rows, residual and reading limits, on 600 held-out hours with an event of each kind", async () => {
        const rows = mixedEvents()
        expect(rows.events.length).toBeGreaterThanOrEqual(EVENT_KINDS.length)
        const i8 = quantizeModel(model, "i8")
        const host = injectedFlags(i8, rows, data.times)
        const lines = await runWithWeatherModel(program(rows), l => l === "DONE", 120_000, model, "i8")
        const device = lines.filter(l => l.startsWith("R ")).map(l => l.split(" "))
        expect(device).toHaveLength(ROWS)

        // the device's forecasts are the reference's to within `drift`, and no residual is that close to the threshold
        const float = new ReferenceModel(i8).run(rows.inputs, data.times).map(y => y[0])
        const forecasts = device.map(d => Buffer.from(d[3], "hex").readDoubleLE(0))
        const drift = Math.max(...forecasts.map((y, t) => Math.abs(y - float[t])))
        const margin = Math.min(...rows.observed.slice(1).map((v, t) => Math.abs(Math.abs(float[t] - v) - model.anomaly!.threshold)))
        expect(drift).toBeLessThan(margin / 2)

        expect(device.map(d => Number(d[1]))).toEqual(host.residual)
        expect(device.map(d => Number(d[2]))).toEqual(host.reading)
        // the rows hold flags of both kinds, and clean rows between them
        expect(host.residual.filter(f => f).length).toBeGreaterThan(EVENT_KINDS.length)
        expect(host.reading.some(k => k)).toBe(true)
        expect(host.residual.filter(f => !f).length).toBeGreaterThan(ROWS / 2)
    }, 180_000)
})
