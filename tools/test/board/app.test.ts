/**
 * The device app's fault handling, run in the in-process VM (no devtools): an
 * out-of-range reading pauses prediction and never reaches the state; a role
 * with no sensor behind it is reported.
 */
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { type AppOptions, appSource, simulatorSource } from "../../src/board/app-program.ts"
import { emitModule } from "../../src/emit/emit.ts"
import { importCanonical } from "../../src/import/import-model.ts"
import { simulate } from "../../src/run/simulate.ts"
import { runProgram } from "../../src/run/vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../../src/run/workspace.ts"
import { parsePrediction } from "../../src/board/deploy.ts"
import { writeServices } from "../../src/board/app-build.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import type { Encoding } from "../../src/model/quantize.ts"
import { ReferenceModel } from "../../src/model/reference.ts"

const model = importCanonical(join(fileURLToPath(new URL("../../data/", import.meta.url)), "weather-lstm.json"))
const options: AppOptions = { features: ["temperature", "humidity", "pressure"], periodMs: 800, targets: [null], threshold: 0, steps: 2, stepAsync: false }

async function run(main: string, done: (l: string) => boolean, m: CanonicalModel = model, encoding: Encoding = "i8"): Promise<string[]> {
    const ws = new Workspace()
    try {
        writeServices(ws)
        ws.write("model.ts", emitModule(m, { encoding, libraryImport: WORKSPACE_LIBRARY }))
        ws.write("main.ts", main)
        const { binary } = await ws.build("main.ts")
        return (await runProgram(binary, { timeoutMs: 30_000, done })).lines
    } finally {
        ws.dispose()
    }
}

describe("device app", () => {
    it("skips an out-of-range reading: the state continues as if the row never came", async () => {
        const good = [[13.580078125, 70.900390625, 1013.5], [13.330078125, 72.5, 1013.2998046875]]
        // 200 °C is outside [-40, 85]: reported, not stepped; the next row resumes
        const lines = await run(simulatorSource(options, "./lib", [good[0], [200, 72.5, 1013.5], good[1]]), l => l === "dsrnn: done")
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
        const lines = await run(simulatorSource(options, "./lib", good), l => l === "dsrnn: done", residual, "f32")
        const ys = lines.map(parsePrediction).filter(p => p !== null).map(p => p!.y[0])
        const expected = new ReferenceModel(residual).run(good).map(y => y[0])
        expect(ys).toHaveLength(2)
        // f32 weights: the device matches float64 to about 1e-6; without the current reading it would be off by ~13
        ys.forEach((y, t) => expect(Math.abs(y - expected[t])).toBeLessThan(1e-4))
        expect(Math.abs(expected[0] - new ReferenceModel(model).run(good)[0][0] - good[0][0])).toBeLessThan(1e-9)
    })

    it("publishes each prediction on the dsrnn predictor service's registers", async () => {
        const good = [[13.580078125, 70.900390625, 1013.5], [13.330078125, 72.5, 1013.2998046875]]
        const main = simulatorSource(options, "./lib", good) + `
const client = new ds.DsrnnPredictor()
for (let i = 0; i < 30 && !client.isBound; i++) await ds.sleep(100)
const hex = (v: number) => {
    const b = Buffer.alloc(8)
    b.setAt(0, "f64", v)
    return b.toString("hex")
}
console.log("register " + hex(await client.reading.read()) + " " + (await client.anomaly.read()) + " " + (await client.step.read()) + " " + hex(server.value))
`
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
        const main = simulatorSource({ ...options, saveEvery: 2 }, "./lib", good) + `
const a = Buffer.alloc(8 * model.stateSize)
const b = Buffer.alloc(8 * model.stateSize)
model.snapshot(a)
model.reset()
console.log("restored " + (await restoreState(model)))
model.snapshot(b)
console.log("same " + (a.toString("hex") === b.toString("hex")) + " " + a.toString("hex").slice(0, 16))
`
        const lines = await run(main, l => l.startsWith("same "))
        expect(lines).toContain("restored true")
        const last = lines[lines.length - 1]
        expect(last.startsWith("same true "), last).toBe(true)
        expect(last).not.toBe("same true 0000000000000000")
    })

    it("saves the state to settings and restores it; refuses a foreign or corrupted one", async () => {
        // one program: step 3 rows, save, step 2 more (the reference), restore, step the same 2 again
        const main = `import * as ds from "@devicescript/core"
import { writeSetting } from "@devicescript/settings"
import { restoreState, saveState } from "./lib/state-store"
import { model } from "./model"

const x = [0.5, -0.25, 1]
const y = [0]
const out = Buffer.alloc(8)
function step(tag: string, t: number) {
    x[0] = 0.5 + 0.1 * t
    model.step(x, y)
    out.setAt(0, "f64", y[0])
    console.log(tag + " " + t + " " + out.toString("hex"))
}
for (let t = 0; t < 3; t++) step("warm", t)
await saveState(model)
for (let t = 3; t < 5; t++) step("ref", t)
model.reset()
console.log("restored " + (await restoreState(model)))
for (let t = 3; t < 5; t++) step("again", t)
model.reset()
step("zero", 3)
// a state saved by another model (different size), then a corrupted chunk
await saveState(model)
await writeSetting("dsrnn.state", [model.stateSize + 1, model.macs, 1, 0])
for (let t = 0; t < 2; t++) step("warm2", t)
console.log("foreign " + (await restoreState(model)))
step("after-foreign", 3)
for (let t = 0; t < 2; t++) step("warm3", t)
await saveState(model)
await writeSetting("dsrnn.s0", "${"00".repeat(96)}")
console.log("corrupt " + (await restoreState(model)))
step("after-corrupt", 3)
console.log("end")
`
        const lines = await run(main, l => l === "end")
        const values = (tag: string) => lines.filter(l => l.startsWith(tag + " ")).map(l => l.split(" ")[2])
        expect(values("ref")).toHaveLength(2)
        expect(lines).toContain("restored true")
        expect(values("again")).toEqual(values("ref"))
        expect(values("zero")).toHaveLength(1)
        expect(values("zero")[0]).not.toBe(values("ref")[0])
        expect(lines).toContain("foreign false")
        expect(lines.some(l => l.startsWith("dsrnn: state rejected (saved by another model"))).toBe(true)
        expect(values("after-foreign")).toEqual(values("zero"))
        expect(lines).toContain("corrupt false")
        expect(lines).toContain("dsrnn: state rejected (checksum mismatch)")
        expect(values("after-corrupt")).toEqual(values("zero"))
    })

    it("reports a sensor that is not there", async () => {
        const lines = await run(appSource(options, "./lib"), l => l.startsWith("dsrnn: fault"))
        expect(lines).toContain("dsrnn: fault temperature not bound")
        expect(lines.some(l => l.startsWith("dsrnn: t="))).toBe(false)
    })
})
