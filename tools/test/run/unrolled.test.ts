/**
 * Unrolled flash code and mixed models through the simulator. The oracle is
 * the float64 reference running the same quantized model (quantizeModel):
 * unrolled code computes what matVec computes, so every value must agree to
 * 1e-9, as for the other paths (docs/accuracy.md).
 *
 * One stack of every layer kind (a reset-before GRU, LSTM, RNN, a
 * reset-after GRU, Dense) per build keeps the builds few: one per encoding
 * and one mixed model.
 */
import { describe, expect, test } from "vitest"
import type { CanonicalModel, Layer } from "../../src/model/canonical.ts"
import { layerMacs } from "../../src/model/canonical.ts"
import { MAX_HEX_LITERAL_BYTES } from "../../src/emit/emit.ts"
import { type LayerPath, planModel, planPaths } from "../../src/emit/plan.ts"
import { type Encoding, quantizeModel } from "../../src/model/quantize.ts"
import { randomLstmModel, randomMatrix, seededRandom } from "../../src/model/random.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { simulate } from "../../src/run/simulate.ts"
import { STEP_OPCODE_LIMIT, SLICE_MACS } from "../../../src/limits.ts"

const TOLERANCE = 1e-9

/** A layer of `type` with seeded weights: W_x in +-1, W_h in +-0.4 (so a long stack stays out of chaos), biases in +-0.5. */
function layer(type: "lstm" | "rnn" | "gru-after" | "gru-before" | "dense", inputs: number, units: number, r: () => number): Layer {
    if (type === "dense") return { type, inputSize: inputs, units, activation: "linear", W: randomMatrix(r, units, inputs, 1), b: randomMatrix(r, 1, units, 0.5)[0] }
    const rows = (type === "lstm" ? 4 : type === "rnn" ? 1 : 3) * units
    const w = { inputSize: inputs, units, activation: "tanh" as const, Wx: randomMatrix(r, rows, inputs, 1), Wh: randomMatrix(r, rows, units, 0.4), bx: randomMatrix(r, 1, rows, 0.5)[0], bh: randomMatrix(r, 1, rows, 0.5)[0] }
    if (type === "lstm") return { type, ...w, recurrentActivation: "sigmoid" }
    if (type === "rnn") return { type, ...w }
    return { type: "gru", ...w, recurrentActivation: "sigmoid", resetAfter: type === "gru-after" }
}

/** GRU (reset before) > LSTM > RNN > GRU (reset after) > Dense(2), 3 inputs. */
function stack(lstmUnits: number, seed: number, gruUnits = 6): CanonicalModel {
    const r = seededRandom(seed)
    const layers = [layer("gru-before", 3, gruUnits, r), layer("lstm", gruUnits, lstmUnits, r), layer("rnn", lstmUnits, 5, r), layer("gru-after", 5, 4, r), layer("dense", 4, 2, r)]
    return { format: "dsrnn-model", version: 1, inputSize: 3, outputSize: 2, layers }
}

async function expectReference(model: CanonicalModel, encoding: Encoding, paths: LayerPath[]) {
    const rows = randomMatrix(seededRandom(7), 25, model.inputSize, 1.5)
    const got = await simulate(model, rows, { encoding, plan: planModel(model, encoding, paths) })
    const expected = new ReferenceModel(quantizeModel(model, encoding)).run(rows)
    let worst = 0
    got.forEach((row, t) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[t][j])))))
    expect(got.length).toBe(rows.length)
    expect(worst).toBeLessThan(TOLERANCE)
    const flat = expected.flat()
    expect(Math.max(...flat) - Math.min(...flat), "outputs must vary, or the check proves little").toBeGreaterThan(1e-2)
}

const allUnrolled = (m: CanonicalModel): LayerPath[] => m.layers.map(() => "unrolled-flash")

describe("unrolled flash code computes the quantized model", () => {
    test("every layer kind, i8", () => {
        const model = stack(10, 1)
        return expectReference(model, "i8", allUnrolled(model))
    }, 180_000)

    test("every layer kind, i16, with more columns than the compiler has locals (GRU(120), LSTM(130), RNN on 130 inputs)", () => {
        const model = stack(130, 2, 120)
        return expectReference(model, "i16", allUnrolled(model))
    }, 180_000)

    test("f32, with W_h over two hex literals and stepAsync slicing the layer", () => {
        const model = stack(64, 3)
        const lstm = model.layers[1]
        // W_h of LSTM(64) in f32: 256 rows of 256 B; the second literal starts at row 240
        expect(lstm.type === "lstm" && lstm.Wh.length * lstm.Wh[0].length * 4).toBeGreaterThan(MAX_HEX_LITERAL_BYTES)
        // too many opcodes for Model.step, so simulate runs stepAsync, which cuts the LSTM's rows into slices
        expect(planModel(model, "f32", "unrolled-flash").opcodes).toBeGreaterThan(STEP_OPCODE_LIMIT)
        expect(layerMacs(lstm)).toBeGreaterThan(2 * SLICE_MACS)
        return expectReference(model, "f32", allUnrolled(model))
    }, 180_000)

    test("a mixed model: specialised, unrolled and flash layers in one step", () =>
        expectReference(stack(10, 4), "i8", ["unrolled-flash", "literal-code", "flash-matrices", "unrolled-flash", "literal-code"]), 180_000)
})

describe("planPaths: the largest layers specialised, the rest unrolled", () => {
    test("a model that fits is specialised whole", () => {
        expect(planPaths(randomLstmModel(3, 32, 1), "i8", "auto")).toEqual(["literal-code", "literal-code"])
    })

    test("LSTM(64): 17,216 multiply-adds do not fit the bytecode; the LSTM is unrolled, the head specialised", () => {
        const model = randomLstmModel(3, 64, 1)
        expect(planPaths(model, "i8", "auto")).toEqual(["unrolled-flash", "literal-code"])
        expect(planPaths(model, "i8", "auto", "off")).toEqual(["flash-matrices", "literal-code"])
        expect(planPaths(model, "i8", "off")).toEqual(["unrolled-flash", "unrolled-flash"])
        expect(planPaths(model, "i8", "off", "off")).toEqual(["flash-matrices", "flash-matrices"])
    })

    test("a layer with more columns than the compiler has locals is not specialised", () => {
        // Dense(150 -> 1) has 150 multiply-adds but would need 150 locals
        expect(planPaths(randomLstmModel(3, 150, 1), "i8", "auto")).toEqual(["unrolled-flash", "unrolled-flash"])
    })

    test("the largest layer that fits goes first, and the image budget binds", () => {
        const r = seededRandom(5)
        // LSTM(8): 352 MACs; LSTM(40): 7,680; LSTM(24): 6,144; together over 9,000
        const model: CanonicalModel = { format: "dsrnn-model", version: 1, inputSize: 3, outputSize: 1, layers: [layer("lstm", 3, 8, r), layer("lstm", 8, 40, r), layer("lstm", 40, 24, r), layer("dense", 24, 1, r)] }
        expect(planPaths(model, "i8", "auto")).toEqual(["literal-code", "literal-code", "unrolled-flash", "literal-code"])
        expect(planPaths(model, "f32", "auto", "auto", 10_000)).toEqual(["literal-code", "unrolled-flash", "unrolled-flash", "literal-code"])
    })
})
