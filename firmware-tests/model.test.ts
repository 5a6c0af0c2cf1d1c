import { describe, expect, test } from "@devicescript/test"
import { Act, Enc, Affine, Lstm, Matrix, Model, STEP_OPCODE_LIMIT } from "../src/index"
import { expectSequence, expectSteps, stepCount } from "./check"
import { headsF32 } from "./fixtures/heads_f32.g"
import { lstmF32 } from "./fixtures/lstm_f32.g"
import { gruBeforeI8 } from "./fixtures/gru_before_i8.g"
import { stackedF32 } from "./fixtures/stacked_f32.g"
import { stackedI8 } from "./fixtures/stacked_i8.g"

const TOL = 1e-9

function expectThrows(f: () => void, what: string) {
    let threw = false
    try {
        f()
    } catch (e) {
        threw = true
    }
    if (!threw) throw new Error(`${what} did not throw`)
}

describe("stacked layers and dense heads", () => {
    test("LSTM > GRU > RNN > softmax dense, f32", async () => {
        stackedF32.model.reset()
        await expectSequence(stackedF32, TOL)
    })
    test("LSTM > GRU > RNN > softmax dense, i8", async () => await expectSequence(stackedI8, TOL))
    test("RNN > relu > sigmoid > tanh dense heads", async () => await expectSequence(headsF32, TOL))
})

describe("state", () => {
    test("reset returns to zero state", async () => {
        const m = stackedF32.model
        m.reset()
        await expectSequence(stackedF32, TOL)
        // without a reset the carried state changes the first output...
        const y = [0, 0, 0]
        const x = [stackedF32.inputs.getAt(0, "f64"), stackedF32.inputs.getAt(8, "f64"), stackedF32.inputs.getAt(16, "f64")]
        m.step(x, y)
        expect(Math.abs(y[0] - stackedF32.expected.getAt(0, "f64")) > 1e-6).toBe(true)
        // ...and after one the whole zero-state sequence is reproduced
        m.reset()
        await expectSequence(stackedF32, TOL)
    })
    test("snapshot and restore resume exactly", async () => {
        const m = lstmF32.model
        const half = stepCount(lstmF32) / 2
        m.reset()
        await expectSteps(lstmF32, 0, half, TOL, false)
        const saved = Buffer.alloc(8 * m.stateSize)
        m.snapshot(saved)
        await expectSteps(lstmF32, half, 2 * half, TOL, false)
        m.restore(saved)
        await expectSteps(lstmF32, half, 2 * half, TOL, false)
        expect(m.stateSize).toBe(8) // h and c of 4 units
    })
    test("stepAsync computes what step computes, suspending inside layers", async () => {
        stackedF32.model.reset()
        await expectSteps(stackedF32, 0, stepCount(stackedF32), TOL, true)
        gruBeforeI8.model.reset()
        await expectSteps(gruBeforeI8, 0, stepCount(gruBeforeI8), TOL, true)
    })
    test("1,000 small stepAsync calls in a row, with no sleep of the caller's, stay under the watchdog", async () => {
        // each call is far below one slice; only a budget spanning calls makes them suspend
        const m = lstmF32.model
        m.reset()
        const x = [0.1, -0.2, 0.3]
        const y = [0]
        for (let t = 0; t < 1000; t++) await m.stepAsync(x, y)
        expect(Math.abs(y[0]) < 1e6).toBe(true)
    })
})

describe("bad input", () => {
    test("NaN, infinite and wrongly sized inputs throw and leave the state alone", async () => {
        const m = lstmF32.model
        m.reset()
        const y = [0]
        expectThrows(() => m.step([1, NaN, 2], y), "NaN input")
        expectThrows(() => m.step([1, Infinity, 2], y), "Infinity input")
        expectThrows(() => m.step([1, 2], y), "short input")
        expectThrows(() => m.step([1, 2, 3], []), "short output")
        await expectSequence(lstmF32, TOL)
    })
    test("step refuses a model over the one-slice budget; stepAsync runs it", async () => {
        // LSTM(40 units, 3 inputs), flash matrices: 160 x 43 = 6880 multiply-adds, ~170,000 opcodes
        const units = 40
        const wx = new Matrix(Buffer.alloc(4 * units * 3), Buffer.alloc(16 * units), 4 * units, 3, Enc.I8)
        const wh = new Matrix(Buffer.alloc(4 * units * units), Buffer.alloc(16 * units), 4 * units, units, Enc.I8)
        const m = new Model([new Lstm(3, units, new Affine(wx, wh, null, null), Act.Tanh, Act.Sigmoid)])
        expect(m.stepOpcodes > STEP_OPCODE_LIMIT).toBe(true)
        expect(m.fitsStep()).toBe(false)
        const y: number[] = []
        for (let j = 0; j < units; j++) y.push(1)
        expectThrows(() => m.step([1, 2, 3], y), "oversized step")
        await m.stepAsync([1, 2, 3], y)
        // zero weights: every gate is sigmoid(0) = 0.5, c = 0.5 * tanh(0) = 0, h = 0
        for (let j = 0; j < units; j++) expect(y[j]).toBe(0)
        // the compiler's figure decides, not the multiply-adds
        expect(new Model(m.layers, 40000).fitsStep()).toBe(true)
        const tiny = new Model([new Lstm(3, 1, new Affine(new Matrix(Buffer.alloc(12), Buffer.alloc(16), 4, 3, Enc.I8), new Matrix(Buffer.alloc(4), Buffer.alloc(16), 4, 1, Enc.I8), null, null), Act.Tanh, Act.Sigmoid)], STEP_OPCODE_LIMIT + 1)
        expectThrows(() => tiny.step([1, 2, 3], y), "a step the compiler measured over the limit")
    })
})
