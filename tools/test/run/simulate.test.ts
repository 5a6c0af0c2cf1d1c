/**
 * `simulate` hands back every value the VM computed, at any width and any
 * length. The oracle is the float64 reference running the same quantized
 * model (quantizeModel): the VM computes exactly that model, so every value
 * must agree to 1e-9 (in practice ~1e-15; docs/accuracy.md).
 *
 * The cases are the shapes that broke when data left the VM as one console
 * line per row (the console cuts a line at about 300 characters): a wide
 * output row, and a state too large for one snapshot line, carried over
 * several chunks.
 */
import { describe, expect, test } from "vitest"
import type { CanonicalModel, LstmLayer } from "../../src/model/canonical.ts"
import { type Encoding, quantizeModel } from "../../src/model/quantize.ts"
import { randomLstmModel, randomMatrix, seededRandom } from "../../src/model/random.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { simulate } from "../../src/run/simulate.ts"
import { planModel } from "../../src/emit/plan.ts"
import { readValues } from "../../src/run/value-lines.ts"
import { endLine, valueLine } from "../../../src/console-lines.ts"

const TOLERANCE = 1e-9

function randomRows(n: number, width: number, seed: number): number[][] {
    return randomMatrix(seededRandom(seed), n, width, 1.5)
}

/** Every row full width, every value within TOLERANCE of the float64 reference of the quantized model. */
function expectReference(model: CanonicalModel, encoding: Encoding, rows: number[][], got: number[][]) {
    const expected = new ReferenceModel(quantizeModel(model, encoding)).run(rows)
    expect(got.length).toBe(rows.length)
    let worst = 0
    got.forEach((row, t) => {
        expect(row.length, `row ${t} width`).toBe(model.outputSize)
        row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[t][j]))))
    })
    expect(worst).toBeLessThan(TOLERANCE)
    const flat = expected.flat()
    expect(Math.max(...flat) - Math.min(...flat), "outputs must vary, or the check proves little").toBeGreaterThan(1e-2)
}

function denseModel(inputs: number, outputs: number, seed: number): CanonicalModel {
    const r = seededRandom(seed)
    return {
        format: "dsrnn-model",
        version: 1,
        inputSize: inputs,
        outputSize: outputs,
        layers: [{ type: "dense", inputSize: inputs, units: outputs, activation: "linear", W: randomMatrix(r, outputs, inputs, 1), b: randomMatrix(r, 1, outputs, 1)[0] }],
    }
}

/**
 * LSTM(units) with a wide dense head: the state and each output row need
 * several console lines. Recurrent weights are in +-0.2, so the state
 * forgets: with +-1, an LSTM(64) is chaotic, and the 1e-16 gap between the
 * VM's Math.pow and the host's Math.exp grows tenfold every ~50 steps
 * (measured: 5e-3 after 400 steps), which would hide any real difference.
 */
function lstmModel(inputs: number, units: number, outputs: number, seed: number): CanonicalModel {
    const m = randomLstmModel(inputs, units, seed)
    const r = seededRandom(seed + 1)
    const lstm = m.layers[0] as LstmLayer
    lstm.Wh = randomMatrix(r, 4 * units, units, 0.2)
    m.layers[1] = { type: "dense", inputSize: units, units: outputs, activation: "linear", W: randomMatrix(r, outputs, units, 0.3), b: randomMatrix(r, 1, outputs, 1)[0] }
    m.outputSize = outputs
    return m
}

describe("simulate returns every value the VM computes", () => {
    test("a dense model with 70 outputs keeps all 70 columns (f32 and i8)", async () => {
        const model = denseModel(4, 70, 11)
        const rows = randomRows(30, 4, 12)
        for (const encoding of ["f32", "i8"] as const) expectReference(model, encoding, rows, await simulate(model, rows, { encoding }))
    })

    test("LSTM(64) with 40 outputs carries its state over 4 chunks", async () => {
        const model = lstmModel(3, 64, 40, 21)
        const rows = randomRows(1_100, 3, 22)
        expectReference(model, "i8", rows, await simulate(model, rows, { encoding: "i8", chunkRows: 300 }))
    }, 300_000)

    test("LSTM(64) f32 with W_h over two hex literals (65,536 B, one holds 61,440) matches the reference", async () => {
        const model = lstmModel(3, 64, 2, 41)
        const rows = randomRows(20, 3, 42)
        expectReference(model, "f32", rows, await simulate(model, rows, { encoding: "f32", plan: planModel(model, "f32", "flash-matrices") }))
    }, 300_000)

    test("a long run in one chunk equals the same rows in 14 chunks, bit for bit (LSTM(12), 2 outputs)", async () => {
        const model = lstmModel(3, 12, 2, 31)
        const rows = randomRows(2_000, 3, 32)
        const done: number[] = []
        const whole = await simulate(model, rows, { encoding: "i16", plan: planModel(model, "i16", "literal-code"), onProgress: d => done.push(d) })
        const chunked = await simulate(model, rows, { encoding: "i16", plan: planModel(model, "i16", "literal-code"), chunkRows: 150 })
        expect(chunked).toEqual(whole)
        expectReference(model, "i16", rows, whole)
        expect(done.at(-1)).toBe(rows.length)
        expect(done.every((d, i) => i === 0 || d >= done[i - 1]), "progress never goes back").toBe(true)
    }, 300_000)
})

describe("value lines from the VM console", () => {
    const hex = (...v: number[]) => Buffer.from(new Float64Array(v).buffer).toString("hex")
    const good = [`Y 0 ${hex(1, 2)}`, "noise", `Y 2 ${hex(3)}`, "Y end 3"]

    test("values come back in order, other lines ignored", () => expect(readValues(good, "Y", 3)).toEqual([1, 2, 3]))
    test("a lost line is an error", () => expect(() => readValues([good[0], good[3]], "Y", 3)).toThrow(/expected Y values from index 2|sent 2/))
    test("a line cut short is an error", () => expect(() => readValues([good[0], `Y 2 ${hex(3).slice(0, 10)}`, good[3]], "Y", 3)).toThrow(/damaged/))
    test("a missing count line is an error", () => expect(() => readValues(good.slice(0, 3), "Y", 3)).toThrow(/counted none/))
    test("the wrong number of values is an error", () => expect(() => readValues(good, "Y", 4)).toThrow(/expected 4/))
    test("reads back what the device's printer writes", () => expect(readValues([valueLine("S", 0, hex(0.25, -1)), valueLine("S", 2, hex(8)), endLine("S", 3)], "S", 3)).toEqual([0.25, -1, 8]))
})
