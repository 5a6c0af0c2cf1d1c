/**
 * Sensor faults in the device app (src/app.ts), in the VM, with a scripted
 * SampleSource instead of Jacdac roles so each fault comes at a known sample:
 * a sensor that disappears for three samples and comes back, a spike outside
 * the plausible range, and a sensor stuck at one value. Each is reported
 * once, prediction pauses and resumes, and none of them reaches the state:
 * the predictions equal the float64 reference of the same i8 model stepped
 * on the good readings alone.
 */
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parsePrediction } from "../../src/board/app-lines.ts"
import { readModelInputs } from "../../src/io/columns.ts"
import { quantizeModel } from "../../src/model/quantize.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { REPO_ROOT } from "../helpers/cli.ts"
import { runWithWeatherModel, weatherModel } from "../helpers/app-vm.ts"

const rows = readModelInputs(join(REPO_ROOT, "tools", "data", "weather.csv"), { inputNames: ["temperature", "humidity", "pressure"], inputSize: 3 }).rows
// consecutive hours share a pressure reading, so these rows are picked to repeat nothing by accident
const [r0, r1, r2, r3, r4, r5, r6] = [0, 1, 2, 3, 7, 8, 6].map(i => rows[i])
const GONE: number[] = []
const SPIKE = [200, 72.5, 1013.5]
/** What the sensors deliver at each sample. */
const SCRIPT = [r0, r1, r2, GONE, GONE, GONE, r3, SPIKE, r4, r5, r5, r5, r5, r6]
/** The readings that must reach the model: the third r5 in a row is "stuck" (stuckSamples 3). */
const STEPPED = [r0, r1, r2, r3, r4, r5, r5, r6]

const PROGRAM = `import * as ds from "@devicescript/core"
import { SampleSource, startApp } from "./lib/app"
import { inputMean, inputStd, model, outputMean, outputStd, residual } from "./model"

const SCRIPT: number[][] = [
${SCRIPT.map(r => `    [${r.join(", ")}],`).join("\n")}
]

/** Sample i of the script; an empty row is a sensor that is not there. */
class Script implements SampleSource {
    i = 0

    bound(j: number): boolean {
        return SCRIPT[this.i].length > 0
    }

    async read(j: number): Promise<number> {
        return SCRIPT[this.i][j]
    }
}

const script = new Script()
await startApp(model, {
    names: ["temperature", "humidity", "pressure"],
    min: [-40, 0, 300],
    max: [85, 100, 1100],
    periodMs: 1,
    targets: [-1],
    threshold: 0,
    stepAsync: false,
    steps: ${STEPPED.length},
    inputMean: inputMean,
    inputStd: inputStd,
    outputMean: outputMean,
    outputStd: outputStd,
    residual: residual,
    stuckSamples: 3,
    source: script,
    onSample: () => {
        script.i++
    },
})
`

describe("sensor faults in the device app", () => {
    it("a sensor gone and back, a spike and a stuck sensor: reported once each, skipped, prediction resumes on an unharmed state", async () => {
        const lines = await runWithWeatherModel(PROGRAM, l => l === "dsrnn: done")
        const events = lines.filter(l => /^dsrnn: (fault|resumed|done)/.test(l))
        expect(events).toEqual([
            "dsrnn: fault temperature not bound",
            "dsrnn: resumed",
            "dsrnn: fault temperature=200 outside [-40, 85]",
            "dsrnn: resumed",
            `dsrnn: fault temperature stuck at ${r5[0]} (3 readings alike)`,
            "dsrnn: resumed",
            "dsrnn: done",
        ])
        const predictions = lines.map(parsePrediction).filter(p => p !== null)
        expect(predictions.map(p => p!.t)).toEqual(STEPPED.map((_, t) => t))
        const expected = new ReferenceModel(quantizeModel(weatherModel, "i8")).run(STEPPED)
        predictions.forEach((p, t) => expect(Math.abs(p!.y[0] - expected[t][0]), `prediction ${t}`).toBeLessThan(1e-9))
    })
})
