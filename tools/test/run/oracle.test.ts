/**
 * The end-to-end claim: the device computes what the laptop computed. Models
 * are built and run by the peers themselves (TensorFlow.js predict(), ONNX
 * Runtime) and, through import > quantize > emit > build, by the DeviceScript
 * VM, one step per row from zero state, with weights in flash matrices and
 * as specialised literal code. Row t of the simulation must match
 * what the peer predicts for rows 0..t.
 *
 * Bounds (absolute, outputs here are O(1), weights uniform in +-1):
 * - f32: 1e-4. The peers round to float32 at every operation (~6e-8 each),
 *   the device only once per weight; observed gaps are ~1e-6.
 * - i16: 3e-4, i8: 8e-2. Symmetric per-row quantization moves each weight
 *   by at most scale/2 = max|row| / 65534 (i16) or / 254 (i8), i.e. up to
 *   0.0015 % / 0.4 % of the row's range. A pre-activation with fan-in n and
 *   inputs of size ~1 moves by about sqrt(n/3) x that step (independent
 *   rounding errors), ~0.02 for i8 at n = 40, and recurrence carries it on
 *   through layers and steps. The bounds are ~3x the largest error measured
 *   over these models (docs/accuracy.md).
 */
import * as tf from "@tensorflow/tfjs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { importModel } from "../../src/import/import-model.ts"
import type { Encoding } from "../../src/model/quantize.ts"
import { seededRandom, randomMatrix } from "../../src/model/random.ts"
import { simulate } from "../../src/run/simulate.ts"
import { planModel } from "../../src/emit/plan.ts"
import { buildTorchLikeModel, type TorchLikeOptions } from "../helpers/onnx-graphs.ts"
import { ortPrefixes } from "../helpers/ort.ts"
import { predictPrefixes, randomRows, saveTfjsModel, sequential, setRandomWeights, useCpuBackend } from "../helpers/tfjs-models.ts"

const STEPS = 10
const BOUNDS: Record<Encoding, number> = { f32: 1e-4, i16: 3e-4, i8: 8e-2 }
const ENCODINGS: Encoding[] = ["f32", "i16", "i8"]

let root: string
let dirs = 0
const freshDir = () => join(root, `m${dirs++}`)

beforeAll(async () => {
    await useCpuBackend()
    root = await mkdtemp(join(tmpdir(), "dsrnn-oracle-"))
})
afterAll(async () => rm(root, { recursive: true, force: true }))

function maxError(a: number[][], b: number[][]): number {
    expect(a.length).toBe(b.length)
    return Math.max(...a.map((row, t) => Math.max(...row.map((v, j) => Math.abs(v - b[t][j])))))
}

/** Simulates `modelPath` in every encoding and checks each against the peer's outputs. */
async function expectDeviceMatches(modelPath: string, rows: number[][], expected: number[][]) {
    const flat = expected.flat()
    expect(Math.max(...flat) - Math.min(...flat), "outputs must vary, or the check proves little").toBeGreaterThan(1e-2)
    const model = await importModel(modelPath)
    const errors: string[] = []
    for (const specialize of [false, true]) {
        for (const encoding of ENCODINGS) {
            const err = maxError(await simulate(model, rows, { encoding, plan: planModel(model, encoding, specialize ? "literal-code" : "flash-matrices") }), expected)
            const what = `${encoding}${specialize ? " specialised" : ""}`
            errors.push(`${what} ${err.toExponential(2)}`)
            expect(err, `${what}: max error ${err} exceeds ${BOUNDS[encoding]}`).toBeLessThan(BOUNDS[encoding])
        }
    }
    console.log(`${modelPath.split("/").slice(-2).join("/")}: ${errors.join(", ")}`)
}

interface TfjsCase {
    name: string
    features: number
    build: () => tf.LayersModel
}

const tfjsCases: TfjsCase[] = [
    { name: "SimpleRNN(1), 1 input", features: 1, build: () => sequential(tf.layers.simpleRNN({ units: 1, inputShape: [null, 1] })) },
    {
        name: "LSTM(16) sigmoid, 3 inputs, Dense(1)",
        features: 3,
        build: () => sequential(tf.layers.lstm({ units: 16, recurrentActivation: "sigmoid", inputShape: [null, 3] }), tf.layers.dense({ units: 1 })),
    },
    {
        name: "LSTM(8) TF.js default hardSigmoid, 5 inputs",
        features: 5,
        build: () => sequential(tf.layers.lstm({ units: 8, inputShape: [null, 5] }), tf.layers.dense({ units: 2 })),
    },
    {
        name: "GRU(32), 8 inputs, sigmoid Dense head",
        features: 8,
        build: () =>
            sequential(tf.layers.gru({ units: 32, recurrentActivation: "sigmoid", inputShape: [null, 8] }), tf.layers.dense({ units: 1, activation: "sigmoid" })),
    },
    {
        name: "stacked LSTM > GRU > SimpleRNN, relu and softmax heads",
        features: 2,
        build: () =>
            sequential(
                tf.layers.lstm({ units: 6, recurrentActivation: "sigmoid", returnSequences: true, inputShape: [null, 2] }),
                tf.layers.gru({ units: 5, returnSequences: true }),
                tf.layers.simpleRNN({ units: 4 }),
                tf.layers.dense({ units: 4, activation: "relu" }),
                tf.layers.dense({ units: 3, activation: "softmax" })
            ),
    },
]

describe("DeviceScript simulator vs TensorFlow.js predict()", () => {
    tfjsCases.forEach((c, i) => {
        test(c.name, async () => {
            const model = c.build()
            setRandomWeights(model, 300 + i)
            const rows = randomRows(400 + i, STEPS, c.features, 1.5)
            const expected = predictPrefixes(model, rows)
            await expectDeviceMatches(await saveTfjsModel(model, freshDir()), rows, expected)
        })
    })
})

const onnxCases: (Omit<TorchLikeOptions, "seed"> & { name: string })[] = [
    { name: "nn.RNN(4 in, 12 hidden) + Linear(2)", cell: "rnn", inputSize: 4, hidden: 12, outputSize: 2 },
    { name: "nn.LSTM(3 in, 16 hidden) + Linear(1)", cell: "lstm", inputSize: 3, hidden: 16, outputSize: 1 },
    { name: "nn.GRU(6 in, 24 hidden) + Linear(1) + Tanh", cell: "gru", inputSize: 6, hidden: 24, outputSize: 1, headActivation: "Tanh" },
    { name: "nn.LSTM 2 layers (2 in, 8 hidden) + Linear(3)", cell: "lstm", inputSize: 2, hidden: 8, outputSize: 3, numLayers: 2 },
    { name: "GRU linear_before_reset=0 (ONNX default) + Linear(1)", cell: "gru", inputSize: 3, hidden: 5, outputSize: 1, linearBeforeReset: 0 },
]

describe("DeviceScript simulator vs ONNX Runtime", () => {
    onnxCases.forEach((c, i) => {
        test(c.name, async () => {
            const { bytes } = buildTorchLikeModel({ ...c, seed: 500 + i })
            const path = join(root, `torch${i}.onnx`)
            await writeFile(path, bytes)
            const rows = randomMatrix(seededRandom(600 + i), STEPS, c.inputSize, 1.5)
            await expectDeviceMatches(path, rows, await ortPrefixes(bytes, rows, c.outputSize))
        })
    })
})
