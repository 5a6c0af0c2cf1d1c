/**
 * The device app's fault handling, run in the in-process VM (no devtools): an
 * out-of-range reading pauses prediction and never reaches the state; a role
 * with no sensor behind it is reported.
 */
import { describe, expect, it } from "vitest"
import { type AppFiles, type AppOptions, appFiles, simulatorFiles } from "../../src/board/app-program.ts"
import { simulate } from "../../src/run/simulate.ts"
import { parsePrediction } from "../../src/board/app-lines.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { quantizeModel } from "../../src/model/quantize.ts"
import { randomLstmModel } from "../../src/model/random.ts"
import { validateModel } from "../../src/model/validate.ts"
import { runWithWeatherModel as run, weatherModel as model } from "../helpers/app-vm.ts"

/** The app's files with `code` run after the app: it sees main.ts's names (model, server, restoreState) and ds. */
const after = (files: AppFiles, code: string): AppFiles => ({ ...files, "main.ts": `import * as ds from "@devicescript/core"\n${files["main.ts"]}${code}` })

const options: AppOptions = { features: ["temperature", "humidity", "pressure"], periodMs: 800, targets: [null], threshold: 0, steps: 2, stepAsync: false }

describe("device app", () => {
    it("skips an out-of-range reading: the state continues as if the row never came", async () => {
        const good = [[13.580078125, 70.900390625, 1013.5], [13.330078125, 72.5, 1013.2998046875]]
        // 200 °C is outside [-40, 85]: reported, not stepped; the next row resumes
        const lines = await run(simulatorFiles(options, [good[0], [200, 72.5, 1013.5], good[1]]), l => l === "dsrnn: done")
        expect(lines).toContain("dsrnn: fault temperature=200 outside [-40, 85]")
        expect(lines).toContain("dsrnn: resumed")
        const ys = lines.map(parsePrediction).filter(p => p !== null).map(p => p!.y)
        const expected = await simulate(model, good, { encoding: "i8" })
        expect(ys).toHaveLength(2)
        ys.forEach((y, t) => expect(Math.abs(y[0] - expected[t][0])).toBeLessThan(1e-9))
    })

    it("a residual model's app adds the current reading back, as the float64 reference does", async () => {
        const good = [[13.580078125, 70.900390625, 1013.5], [13.330078125, 72.5, 1013.2998046875]]
        const residual: CanonicalModel = { ...model, residual: [0] }
        const lines = await run(simulatorFiles(options, good), l => l === "dsrnn: done", 30_000, residual, "f32")
        const ys = lines.map(parsePrediction).filter(p => p !== null).map(p => p!.y[0])
        const expected = new ReferenceModel(residual).run(good).map(y => y[0])
        expect(ys).toHaveLength(2)
        // f32 weights: the device matches float64 to about 1e-6; without the current reading it would be off by ~13
        ys.forEach((y, t) => expect(Math.abs(y - expected[t])).toBeLessThan(1e-4))
        expect(Math.abs(expected[0] - new ReferenceModel(model).run(good)[0][0] - good[0][0])).toBeLessThan(1e-9)
    })

    it("publishes each prediction on the dsrnn predictor service's registers", async () => {
        const good = [[13.580078125, 70.900390625, 1013.5], [13.330078125, 72.5, 1013.2998046875]]
        const main = after(simulatorFiles(options, good), `
const client = new ds.DsrnnPredictor()
for (let i = 0; i < 30 && !client.isBound; i++) await ds.sleep(100)
const hex = (v: number) => {
    const b = Buffer.alloc(8)
    b.setAt(0, "f64", v)
    return b.toString("hex")
}
console.log("register " + hex(await client.reading.read()) + " " + (await client.anomaly.read()) + " " + (await client.step.read()) + " " + hex(server.value))
`)
        const lines = await run(main, l => l.startsWith("register "))
        const ys = lines.map(parsePrediction).filter(p => p !== null).map(p => p!.y)
        expect(ys).toHaveLength(2)
        const m = /^register (\S+) (\d+) (\d+) (\S+)$/.exec(lines[lines.length - 1])
        expect(m, lines.join("\n")).not.toBeNull()
        const f64 = (hex: string) => Buffer.from(hex, "hex").readDoubleLE(0)
        expect(f64(m![1])).toBe(ys[1][0])
        expect(f64(m![4])).toBe(ys[1][0])
        expect(m![2]).toBe("0")
        expect(m![3]).toBe("2")
    })

    it("saves the state every saveEvery predictions (startApp)", async () => {
        const good = [[13.580078125, 70.900390625, 1013.5], [13.330078125, 72.5, 1013.2998046875]]
        const main = after(simulatorFiles({ ...options, saveEvery: 2 }, good), `
const a = Buffer.alloc(8 * model.stateSize)
const b = Buffer.alloc(8 * model.stateSize)
model.snapshot(a)
model.reset()
console.log("restored " + (await restoreState(model)))
model.snapshot(b)
console.log("same " + (a.toString("hex") === b.toString("hex")) + " " + a.toString("hex").slice(0, 16))
`)
        const lines = await run(main, l => l.startsWith("same "))
        expect(lines).toContain("restored true")
        const last = lines[lines.length - 1]
        expect(last.startsWith("same true "), last).toBe(true)
        expect(last).not.toBe("same true 0000000000000000")
    })

    it("reports a sensor that is not there", async () => {
        const lines = await run(appFiles(options), l => l.startsWith("dsrnn: fault"))
        expect(lines).toContain("dsrnn: fault temperature not bound")
        expect(lines.some(l => l.startsWith("dsrnn: t="))).toBe(false)
    })

    describe("derived inputs: the app's Forecaster computes them from the readings and its clock", () => {
        const HOUR = 3_600_000
        const START = Date.UTC(2024, 2, 1, 6)
        // readings temperature, humidity; derived: humidity's change, temperature 2 rows back (period 3), sin/cos of the day
        const derived = validateModel({
            ...randomLstmModel(6, 4, 41),
            inputNames: ["temperature", "humidity"],
            outputNames: ["temperature"],
            period: 3,
            features: { change: [1], season: [0], calendar: ["day"], rowMs: HOUR },
            residual: [0],
            residualBase: "season",
        })
        const calendarOptions: AppOptions = { ...options, features: ["temperature", "humidity"], calendar: ["day"], startMs: START, steps: 4 }

        it("equals the float64 oracle; a faulty sample is skipped but its hour still passes", async () => {
            // exact in the sensors' wire formats (multiples of 1/1024); row 2 is a fault
            const rows = [[13.5, 70.5], [14.25, 72.25], [200, 71], [15, 71], [13.75, 69.75]]
            const lines = await run(simulatorFiles(calendarOptions, rows), l => l === "dsrnn: done", 30_000, derived, "f32")
            expect(lines).toContain("dsrnn: fault temperature=200 outside [-40, 85]")
            const ys = lines.map(parsePrediction).filter(p => p !== null).map(p => p!.y[0])
            const good = [0, 1, 3, 4]
            const expected = new ReferenceModel(quantizeModel(derived, "f32")).run(good.map(t => rows[t]), good.map(t => START + t * HOUR)).map(y => y[0])
            expect(ys).toHaveLength(4)
            ys.forEach((y, t) => expect(Math.abs(y - expected[t]), `prediction ${t}`).toBeLessThan(1e-9))
            // the clock matters: the same rows an hour apart without the gap give forecasts farther off than the tolerance (3e-6 measured)
            const gapless = new ReferenceModel(quantizeModel(derived, "f32")).run(good.map(t => rows[t]), good.map((_, i) => START + i * HOUR)).map(y => y[0])
            expect(Math.max(...gapless.map((v, t) => Math.abs(v - expected[t])))).toBeGreaterThan(1e-7)
        })

        it("a board app of a calendar model needs --start: a board has no calendar clock", () => {
            expect(() => appFiles({ ...calendarOptions, startMs: undefined })).toThrow("the model has calendar inputs (day) and a board has no calendar clock: give the UTC time of the first sample with --start")
        })
    })
})
