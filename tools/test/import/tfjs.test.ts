/**
 * TensorFlow.js is the oracle: each model is built and run by tfjs, saved to
 * disk, imported, and run again by the float64 reference. Agreement proves
 * importer + reference = TF.js, gate order, transposes and biases included.
 *
 * Tolerance: tfjs computes in float32 (relative rounding ~6e-8 per operation);
 * with at most ~40 terms per dot product, a few stacked layers and 8 steps
 * of recurrence the observed gap stays below ~1e-6. 1e-5 (relative to the
 * value's size, at least 1) leaves margin, while a swapped gate, a transposed
 * kernel or a lost bias moves outputs by 1e-2 or more with weights in ±1.
 */
import * as tf from "@tensorflow/tfjs"
import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { UnsupportedError, UserError } from "../../src/core/errors.ts"
import { importTfjs } from "../../src/import/tfjs.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import {
    predictPrefixes,
    randomRows,
    saveTfjsModel,
    sequential,
    setRandomWeights,
    useCpuBackend,
} from "../helpers/tfjs-models.ts"

const STEPS = 8
const TOLERANCE = 1e-5

let root: string
let dirCount = 0
const freshDir = () => join(root, `m${dirCount++}`)

beforeAll(async () => {
    await useCpuBackend()
    root = await mkdtemp(join(tmpdir(), "dsrnn-tfjs-"))
})

afterAll(async () => {
    await rm(root, { recursive: true, force: true })
})

function expectClose(actual: number[][], expected: number[][]): void {
    expect(actual.length).toBe(expected.length)
    actual.forEach((row, t) => {
        expect(row.length).toBe(expected[t].length)
        row.forEach((v, j) => {
            const e = expected[t][j]
            const gap = Math.abs(v - e) / Math.max(1, Math.abs(e))
            if (gap > TOLERANCE)
                expect.fail(`step ${t} output ${j}: ${v} vs TF.js ${e}`)
        })
    })
}

/** Whether the outputs move at all: a constant output would hide most bugs. */
function expectVaries(rows: number[][]): void {
    const flat = rows.flat()
    expect(Math.max(...flat) - Math.min(...flat)).toBeGreaterThan(1e-2)
}

interface OracleCase {
    name: string
    features: number
    build: () => tf.LayersModel
}

const cases: OracleCase[] = [
    {
        name: "SimpleRNN, 1 input, 1 unit",
        features: 1,
        build: () =>
            sequential(
                tf.layers.simpleRNN({ units: 1, inputShape: [null, 1] })
            ),
    },
    {
        name: "SimpleRNN relu without bias, linear Dense head",
        features: 3,
        build: () =>
            sequential(
                tf.layers.simpleRNN({
                    units: 5,
                    activation: "relu",
                    useBias: false,
                    inputShape: [null, 3],
                }),
                tf.layers.dense({ units: 2 })
            ),
    },
    {
        name: "LSTM with sigmoid recurrent activation, softmax head",
        features: 4,
        build: () =>
            sequential(
                tf.layers.lstm({
                    units: 8,
                    recurrentActivation: "sigmoid",
                    inputShape: [null, 4],
                }),
                tf.layers.dense({ units: 3, activation: "softmax" })
            ),
    },
    {
        name: "LSTM with the TF.js default hard_sigmoid",
        features: 2,
        build: () =>
            sequential(tf.layers.lstm({ units: 6, inputShape: [null, 2] })),
    },
    {
        name: "GRU (reset_after false), 8 inputs, 32 units, hard_sigmoid",
        features: 8,
        build: () =>
            sequential(tf.layers.gru({ units: 32, inputShape: [null, 8] })),
    },
    {
        name: "GRU with sigmoid, no bias, sigmoid Dense head",
        features: 3,
        build: () =>
            sequential(
                tf.layers.gru({
                    units: 4,
                    recurrentActivation: "sigmoid",
                    useBias: false,
                    inputShape: [null, 3],
                }),
                tf.layers.dense({ units: 1, activation: "sigmoid" })
            ),
    },
    {
        name: "stack: InputLayer, LSTM, Dropout, GRU, SimpleRNN, two Dense",
        features: 3,
        build: () =>
            sequential(
                tf.layers.inputLayer({ batchInputShape: [null, null, 3] }),
                tf.layers.lstm({
                    units: 7,
                    recurrentActivation: "sigmoid",
                    returnSequences: true,
                }),
                tf.layers.dropout({ rate: 0.5 }),
                tf.layers.gru({ units: 5, returnSequences: true }),
                tf.layers.simpleRNN({ units: 3 }),
                tf.layers.dense({ units: 4, activation: "relu" }),
                tf.layers.dense({ units: 2, activation: "tanh" })
            ),
    },
]

describe("importTfjs matches TF.js", () => {
    cases.forEach((c, i) => {
        it(c.name, async () => {
            const model = c.build()
            setRandomWeights(model, 100 + i)
            const rows = randomRows(200 + i, STEPS, c.features, 2)
            const expected = predictPrefixes(model, rows)
            const imported = await importTfjs(
                await saveTfjsModel(model, freshDir())
            )
            expect(imported.inputSize).toBe(c.features)
            expectVaries(expected)
            expectClose(new ReferenceModel(imported).run(rows), expected)
        })
    })

    it("return_sequences on the last recurrent layer, fixed time steps", async () => {
        const model = sequential(
            tf.layers.lstm({
                units: 4,
                returnSequences: true,
                inputShape: [STEPS, 2],
            }),
            tf.layers.dense({ units: 2 })
        )
        setRandomWeights(model, 7)
        const rows = randomRows(8, STEPS, 2, 2)
        const y = model.predict(tf.tensor3d([rows])) as tf.Tensor
        const expected = (y.arraySync() as number[][][])[0]
        const imported = await importTfjs(
            await saveTfjsModel(model, freshDir())
        )
        expectClose(new ReferenceModel(imported).run(rows), expected)
    })
})

/** Keras GRUCell with reset_after=True, in float32 tf ops (TF.js refuses reset_after). */
function kerasGruResetAfter(
    kernel: tf.Tensor2D,
    recurrentKernel: tf.Tensor2D,
    bias: tf.Tensor2D,
    units: number,
    rows: number[][]
): number[][] {
    return tf.tidy(() => {
        const [bx, bh] = tf.unstack(bias)
        let h: tf.Tensor2D = tf.zeros([1, units])
        const out: number[][] = []
        for (const row of rows) {
            const [xz, xr, xh] = tf.split(
                tf.add(tf.matMul(tf.tensor2d([row]), kernel), bx),
                3,
                1
            )
            const [hz, hr, hh] = tf.split(
                tf.add(tf.matMul(h, recurrentKernel), bh),
                3,
                1
            )
            const z = tf.sigmoid(tf.add(xz, hz))
            const r = tf.sigmoid(tf.add(xr, hr))
            const n = tf.tanh(tf.add(xh, tf.mul(r, hh)))
            h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), n)) as tf.Tensor2D
            out.push(Array.from(h.dataSync()))
        }
        return out
    })
}

describe("Keras files from tensorflowjs_converter", () => {
    it("reads GRU reset_after=true with its [2, 3 units] bias", async () => {
        const units = 5
        const features = 3
        const model = sequential(
            tf.layers.gru({
                units,
                recurrentActivation: "sigmoid",
                inputShape: [null, features],
                name: "gru",
            })
        )
        const file = await saveTfjsModel(model, freshDir())
        const json = JSON.parse(await readFile(file, "utf8"))
        json.modelTopology.config.layers[0].config.reset_after = true
        json.weightsManifest[0].weights[2].shape = [2, 3 * units]
        await writeFile(file, JSON.stringify(json))
        const random = (seed: number, r: number, c: number) =>
            tf.tensor2d(randomRows(seed, r, c))
        const kernel = random(1, features, 3 * units)
        const recurrentKernel = random(2, units, 3 * units)
        const bias = random(3, 2, 3 * units)
        const bytes = [kernel, recurrentKernel, bias].map(
            t => new Uint8Array(Float32Array.from(t.dataSync()).buffer)
        )
        await writeFile(
            file.replace("model.json", "weights.bin"),
            Buffer.concat(bytes)
        )

        const rows = randomRows(4, STEPS, features, 2)
        const expected = kerasGruResetAfter(
            kernel,
            recurrentKernel,
            bias,
            units,
            rows
        )
        const imported = await importTfjs(file)
        expect(imported.layers[0]).toMatchObject({
            type: "gru",
            resetAfter: true,
        })
        expectVaries(expected)
        expectClose(new ReferenceModel(imported).run(rows), expected)
    })

    it("reads the model_config wrapper, the old layer-list config, cell weight names and split shards", async () => {
        const model = cases[6].build()
        setRandomWeights(model, 5)
        const dir = freshDir()
        const file = await saveTfjsModel(model, dir)
        const original = await importTfjs(file)

        const json = JSON.parse(await readFile(file, "utf8"))
        const { config, ...rest } = json.modelTopology
        json.modelTopology = {
            ...rest,
            keras_version: "2.15.0",
            model_config: { class_name: "Sequential", config: config.layers },
        }
        const group = json.weightsManifest[0]
        for (const w of group.weights) {
            const [layer, role] = w.name.split("/")
            w.name = `${layer}/cell/${role}:0`
        }
        // An odd split point: shards are one byte stream, not whole tensors.
        const data = await readFile(join(dir, "weights.bin"))
        const cut = 4 * 17 + 3
        await writeFile(
            join(dir, "group1-shard1of2.bin"),
            data.subarray(0, cut)
        )
        await writeFile(join(dir, "group1-shard2of2.bin"), data.subarray(cut))
        await unlink(join(dir, "weights.bin"))
        group.paths = ["group1-shard1of2.bin", "group1-shard2of2.bin"]
        await writeFile(file, JSON.stringify(json))

        const converted = await importTfjs(file)
        expect(converted.layers).toEqual(original.layers)
        expect(converted.inputSize).toBe(3)
    })
})

/** Saves a small valid model in a fresh directory; returns its paths. */
async function saveSmallModel() {
    const model = sequential(
        tf.layers.lstm({ units: 3, inputShape: [null, 2], name: "enc" }),
        tf.layers.dense({ units: 2, name: "head" })
    )
    setRandomWeights(model, 1)
    const dir = freshDir()
    const file = await saveTfjsModel(model, dir)
    return { file, bin: join(dir, "weights.bin") }
}

async function editJson(file: string, edit: (json: any) => void) {
    const json = JSON.parse(await readFile(file, "utf8"))
    edit(json)
    await writeFile(file, JSON.stringify(json))
}

/** The import fails with a one-line message naming the file and the needles. */
async function expectRejected(
    file: string,
    exitCode: 1 | 2,
    ...needles: string[]
): Promise<void> {
    const err = await importTfjs(file).then(
        () => expect.fail("import succeeded"),
        (e: unknown) => e
    )
    expect(err).toBeInstanceOf(exitCode === 2 ? UnsupportedError : UserError)
    const { message, exitCode: code } = err as UserError
    expect(code).toBe(exitCode)
    expect(message).not.toContain("\n")
    for (const n of [file, ...needles]) expect(message).toContain(n)
}

describe("bad files", () => {
    it("a missing model.json", async () => {
        await expectRejected(join(freshDir(), "model.json"), 1, "cannot read")
    })

    it("a truncated model.json", async () => {
        const { file } = await saveSmallModel()
        const text = await readFile(file, "utf8")
        await writeFile(file, text.slice(0, text.length / 2))
        await expectRejected(file, 1, "not valid JSON")
    })

    it("corrupt JSON", async () => {
        const { file } = await saveSmallModel()
        await writeFile(file, "{ modelTopology: 1 }")
        await expectRejected(file, 1, "not valid JSON")
    })

    it("no modelTopology", async () => {
        const { file } = await saveSmallModel()
        await editJson(file, json => delete json.modelTopology)
        await expectRejected(file, 1, "modelTopology")
    })

    it("a missing shard", async () => {
        const { file, bin } = await saveSmallModel()
        await unlink(bin)
        await expectRejected(file, 1, "weights.bin")
    })

    it("a shard of the wrong size", async () => {
        const { file, bin } = await saveSmallModel()
        const data = await readFile(bin)
        await writeFile(bin, data.subarray(0, data.length - 4))
        await expectRejected(file, 1, "weights.bin", `${data.length - 4} bytes`)
    })

    it("a NaN weight names the layer", async () => {
        const { file, bin } = await saveSmallModel()
        const data = await readFile(bin)
        // enc/kernel is [2, 12], enc/recurrent_kernel [3, 12]: this is inside the latter.
        data.writeFloatLE(NaN, 4 * (24 + 5))
        await writeFile(bin, data)
        await expectRejected(file, 1, '"enc"', "recurrent_kernel", "NaN")
    })

    it("a weight missing from the manifest", async () => {
        const { file } = await saveSmallModel()
        await editJson(file, json => {
            json.weightsManifest[0].weights[1].name = "enc/something_else"
        })
        await expectRejected(file, 1, '"enc"', "recurrent_kernel", "missing")
    })

    it("a weight that is not float32", async () => {
        const { file } = await saveSmallModel()
        await editJson(file, json => {
            json.weightsManifest[0].weights[3].dtype = "int32"
        })
        await expectRejected(file, 2, "head/kernel", "int32")
    })
})

describe("unsupported models", () => {
    const unsupported: [string, () => tf.LayersModel, string[]][] = [
        [
            "Conv1D",
            () =>
                sequential(
                    tf.layers.conv1d({
                        filters: 2,
                        kernelSize: 2,
                        inputShape: [null, 2],
                        name: "conv",
                    })
                ),
            ['"conv"', "Conv1D"],
        ],
        [
            "Bidirectional",
            () =>
                sequential(
                    tf.layers.bidirectional({
                        layer: tf.layers.lstm({ units: 2 }) as tf.RNN,
                        inputShape: [4, 2],
                        name: "bi",
                    })
                ),
            ['"bi"', "Bidirectional"],
        ],
        [
            "Flatten",
            () =>
                sequential(
                    tf.layers.flatten({ inputShape: [4, 2], name: "flat" }),
                    tf.layers.dense({ units: 1 })
                ),
            ['"flat"', "Flatten"],
        ],
        [
            "go_backwards",
            () =>
                sequential(
                    tf.layers.gru({
                        units: 2,
                        goBackwards: true,
                        inputShape: [null, 2],
                        name: "back",
                    })
                ),
            ['"back"', "go_backwards"],
        ],
        [
            "an activation the device lacks",
            () =>
                sequential(
                    tf.layers.simpleRNN({ units: 2, inputShape: [null, 2] }),
                    tf.layers.dense({
                        units: 1,
                        activation: "elu",
                        name: "out",
                    })
                ),
            ['"out"', "elu"],
        ],
        [
            "a functional model",
            () => {
                const input = tf.input({ shape: [null, 2] })
                const output = tf.layers
                    .lstm({ units: 2 })
                    .apply(input) as tf.SymbolicTensor
                return tf.model({ inputs: input, outputs: output })
            },
            ["Sequential"],
        ],
    ]

    for (const [name, build, needles] of unsupported)
        it(name, async () => {
            const file = await saveTfjsModel(build(), freshDir())
            await expectRejected(file, 2, ...needles)
        })

    it("Keras 3 hard_sigmoid, which is not 0.2 x + 0.5", async () => {
        const { file } = await saveSmallModel()
        await editJson(file, json => {
            json.modelTopology.keras_version = "3.4.1"
        })
        await expectRejected(file, 2, '"enc"', "hard_sigmoid", "3.4.1")
    })

    it("a recurrent layer after one that returns only its last output", async () => {
        const { file } = await saveSmallModel()
        await editJson(file, json => {
            const layers = json.modelTopology.config.layers
            layers[1] = {
                ...layers[0],
                config: { ...layers[0].config, name: "enc2" },
            }
        })
        await expectRejected(file, 1, '"enc2"', '"enc"', "return_sequences")
    })
})
