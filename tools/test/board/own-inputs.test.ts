/**
 * A model input that no sensor measures comes from the user's own code: the
 * "Inputs that are not sensors" path (README.md, docs/boards.md). Temperature
 * is read from a Jacdac client (a simulated sensor in the same program); lod_s is a value
 * the program computes. Both the Forecaster and predict() must give what
 * the float64 reference gives on the same rows, with lod_s exact (no wire rounding).
 */
import { describe, expect, it } from "vitest"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { randomLstmModel } from "../../src/model/random.ts"
import { quantizeModel } from "../../src/model/quantize.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { resolveFeatures } from "../../src/board/app-program.ts"
import { runWithWeatherModel as run } from "../helpers/app-vm.ts"

const model: CanonicalModel = {
    ...randomLstmModel(2, 4, 5),
    inputNames: ["temperature", "lod_s"],
    inputNormalization: { mean: [20, 0.001], std: [2, 0.0005] },
}
// temperatures on the i22.10 grid, which the sensor keeps; lod_s off every Jacdac grid
const ROWS = [[21.5, 0.0012345], [22.25, 0.0009876], [20.75, 0.0011111]]

const MAIN = `import * as ds from "@devicescript/core"
import { SensorServer, startServer } from "@devicescript/server"
import { from } from "@devicescript/observables"
import { Forecaster, predict } from "./lib/index"
import { model, scaling } from "./model"

class Thermometer extends SensorServer {
    value = 0
    constructor() {
        super(ds.Temperature.spec, { interval: 50 })
    }
    reading(): number {
        return this.value
    }
}
const thermometer = new Thermometer()
startServer(thermometer)

/** The user's own input: here computed, elsewhere a setting, a message or another bus. */
const LOD = [${ROWS.map(r => r[1]).join(", ")}]
const TEMPS = [${ROWS.map(r => r[0]).join(", ")}]

const hex = (v: number) => {
    const b = Buffer.alloc(8)
    b.setAt(0, "f64", v)
    return b.toString("hex")
}

const temperature = new ds.Temperature()
const forecaster = new Forecaster(model, scaling)
const x = [0, 0]
const rows: number[][] = []
for (let i = 0; i < TEMPS.length; i++) {
    thermometer.value = TEMPS[i]
    let t = NaN
    for (let k = 0; k < 100 && t !== TEMPS[i]; k++) {
        await ds.sleep(20)
        if (temperature.isBound) t = await temperature.reading.read()
    }
    x[0] = t
    x[1] = LOD[i]
    rows.push([x[0], x[1]])
    const y = await forecaster.step(x)
    console.log("forecaster " + hex(y[0]))
}
model.reset()
let n = 0
from(rows).pipe(predict(model, scaling)).subscribe(y => {
    console.log("predict " + hex(y[0]))
    if (++n === rows.length) console.log("done")
})
`

describe("an input that is not a sensor", () => {
    it("build refuses it with the way out; Forecaster and predict() take it from the program and match the float64 reference", async () => {
        expect(() => resolveFeatures(model)).toThrow('"lod_s" is not a sensor; map it with --sensors or feed it from your own code (README: Inputs that are not sensors)')
        const lines = await run(MAIN, l => l === "done", 30_000, model, "i8")
        const f64 = (prefix: string) => lines.filter(l => l.startsWith(prefix + " ")).map(l => Buffer.from(l.split(" ")[1], "hex").readDoubleLE(0))
        const expected = new ReferenceModel(quantizeModel(model, "i8")).run(ROWS).map(y => y[0])
        for (const path of ["forecaster", "predict"]) {
            const ys = f64(path)
            expect(ys, path).toHaveLength(ROWS.length)
            ys.forEach((y, t) => expect(Math.abs(y - expected[t]), `${path} ${t}`).toBeLessThan(1e-9))
        }
    })
})
