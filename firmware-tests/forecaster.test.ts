import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { Forecaster, Model, STEP_OPCODE_LIMIT, Scaling, zeros } from "../src/index"
import { expectClose, readRow, stepCount } from "./check"
import { headsF32 } from "./fixtures/heads_f32.g"

// The fixture's float64 outputs are for its (normalized) inputs; the raw
// readings, the real-unit forecast and the residual are worked out here in
// float64 from the scaling, independently of the Forecaster.
const SCALING: Scaling = {
    inputMean: [10, -3],
    inputStd: [2, 0.25],
    outputMean: [20, -1],
    outputStd: [5, 0.5],
    // crossed, so that output j adding input j back would fail
    residual: [1, 0],
}
// the fixture's own tolerance against float64, plus the rounding of raw -> normalized
const TOL = 1e-9

/** Runs the fixture's rows through `forecaster` as raw readings and checks every output against float64. */
async function expectForecasts(forecaster: Forecaster): Promise<number[]> {
    const model = headsF32.model
    const s = SCALING
    model.reset()
    const x = zeros(model.inputSize)
    const raw = zeros(model.inputSize)
    const ref = zeros(model.outputSize)
    const got: number[] = []
    for (let t = 0; t < stepCount(headsF32); t++) {
        readRow(headsF32.inputs, t, x)
        readRow(headsF32.expected, t, ref)
        for (let j = 0; j < raw.length; j++) raw[j] = x[j] * s.inputStd[j] + s.inputMean[j]
        const before0 = raw[0]
        const before1 = raw[1]
        const y = await forecaster.step(raw)
        expect(y === forecaster.y).toBe(true)
        expect(raw[0] === before0 && raw[1] === before1).toBe(true)
        for (let j = 0; j < ref.length; j++) {
            const want = ref[j] * s.outputStd[j] + s.outputMean[j] + raw[s.residual[j]]
            expectClose(y[j], want, TOL, `step ${t} output ${j}`)
            got.push(y[j])
        }
        await ds.sleep(0) // the watchdog: this loop is ours
    }
    return got
}

describe("Forecaster: the per-reading path of the app, predict() and simulate", () => {
    test("step (sync): scaling and a crossed residual over two outputs equal float64 worked out by hand", async () => {
        const forecaster = new Forecaster(headsF32.model, SCALING, false)
        expect(forecaster.stepsAsync).toBe(false)
        await expectForecasts(forecaster)
    })

    test("stepAsync gives the same bits as step", async () => {
        const sync = await expectForecasts(new Forecaster(headsF32.model, SCALING, false))
        const forecaster = new Forecaster(headsF32.model, SCALING)
        expect(forecaster.stepsAsync).toBe(true)
        const viaAsync = await expectForecasts(forecaster)
        for (let i = 0; i < sync.length; i++) expectClose(viaAsync[i], sync[i], 0, `value ${i}`)
    })

    test("a model too large for step() is stepped with stepAsync even when step is asked for", async () => {
        const big = new Model(headsF32.model.layers, STEP_OPCODE_LIMIT + 1)
        const forecaster = new Forecaster(big, SCALING, false)
        expect(forecaster.stepsAsync).toBe(true)
        await expectForecasts(forecaster)
    })

    test("no scaling: the model's own outputs", async () => {
        const model = headsF32.model
        const forecaster = new Forecaster(model, null, false)
        model.reset()
        const x = zeros(model.inputSize)
        const ref = zeros(model.outputSize)
        for (let t = 0; t < stepCount(headsF32); t++) {
            readRow(headsF32.inputs, t, x)
            readRow(headsF32.expected, t, ref)
            const y = await forecaster.step(x)
            for (let j = 0; j < ref.length; j++) expectClose(y[j], ref[j], TOL, `step ${t} output ${j}`)
            await ds.sleep(0)
        }
    })
})
