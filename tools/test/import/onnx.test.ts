/**
 * The ONNX importer is checked against ONNX Runtime: each graph is run by
 * ONNX Runtime (onnxruntime-web, its WASM build) on every prefix of a random sequence, and the float64
 * reference running the imported model must produce the same outputs step by
 * step. A swapped gate block, a missed bias half or a wrong activation shows
 * up as a mismatch.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as ort from "onnxruntime-web"
import { describe, expect, it } from "vitest"
import { UnsupportedError, UserError } from "../../src/core/errors.ts"
import { importOnnx, importOnnxBytes } from "../../src/import/onnx/import-onnx.ts"
import { randomMatrix, seededRandom } from "../../src/model/random.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import {
    type IGraph,
    type TorchLikeOptions,
    attr,
    buildTorchLikeModel,
    floatTensor,
    int64Tensor,
} from "../helpers/onnx-graphs.ts"
import { runOrt } from "../helpers/ort.ts"

const STEPS = 7

function expectClose(actual: number[], expected: number[]) {
    expect(actual.length).toBe(expected.length)
    actual.forEach((v, j) =>
        expect(Math.abs(v - expected[j])).toBeLessThan(1e-5)
    )
}

async function checkAgainstOrt(options: TorchLikeOptions) {
    const { bytes } = buildTorchLikeModel(options)
    const model = importOnnxBytes(bytes, "test")
    expect(model.inputSize).toBe(options.inputSize)
    expect(model.outputSize).toBe(options.outputSize)
    const session = await ort.InferenceSession.create(bytes)
    const rows = randomMatrix(
        seededRandom(options.seed + 1000),
        STEPS,
        options.inputSize,
        1.5
    )
    const expected = new ReferenceModel(model).run(rows)
    const batchFirst = options.batchFirst ?? true
    if (options.select === "all") {
        const steps = await runOrt(
            session,
            rows,
            batchFirst,
            options.outputSize
        )
        steps.forEach((step, t) => expectClose(step, expected[t]))
        return model
    }
    for (let t = 1; t <= STEPS; t++) {
        const [last] = await runOrt(
            session,
            rows.slice(0, t),
            batchFirst,
            options.outputSize
        )
        expectClose(last, expected[t - 1])
    }
    return model
}

describe("importOnnx matches ONNX Runtime on every prefix", () => {
    const cases: [string, TorchLikeOptions][] = [
        [
            "RNN tanh, 1 input, 1 unit",
            {
                cell: "rnn",
                inputSize: 1,
                hidden: 1,
                outputSize: 1,
                activations: ["Tanh"],
                seed: 1,
            },
        ],
        [
            "RNN relu, 8 inputs, 32 units",
            {
                cell: "rnn",
                inputSize: 8,
                hidden: 32,
                outputSize: 3,
                activations: ["Relu"],
                seed: 2,
            },
        ],
        [
            "LSTM, 3 inputs, 8 units",
            { cell: "lstm", inputSize: 3, hidden: 8, outputSize: 2, seed: 3 },
        ],
        [
            "LSTM, 2 layers, time-major input",
            {
                cell: "lstm",
                inputSize: 2,
                hidden: 5,
                outputSize: 1,
                numLayers: 2,
                batchFirst: false,
                seed: 4,
            },
        ],
        [
            "LSTM, 32 units, Sigmoid head",
            {
                cell: "lstm",
                inputSize: 4,
                hidden: 32,
                outputSize: 2,
                headActivation: "Sigmoid",
                seed: 5,
            },
        ],
        [
            "LSTM with HardSigmoid gates",
            {
                cell: "lstm",
                inputSize: 2,
                hidden: 4,
                outputSize: 2,
                activations: ["HardSigmoid", "Tanh", "Tanh"],
                seed: 6,
            },
        ],
        [
            "GRU linear_before_reset=1",
            {
                cell: "gru",
                inputSize: 5,
                hidden: 7,
                outputSize: 2,
                linearBeforeReset: 1,
                seed: 7,
            },
        ],
        [
            "GRU linear_before_reset=0, Tanh head",
            {
                cell: "gru",
                inputSize: 6,
                hidden: 9,
                outputSize: 3,
                linearBeforeReset: 0,
                headActivation: "Tanh",
                seed: 8,
            },
        ],
        [
            "GRU, 2 layers, Softmax head",
            {
                cell: "gru",
                inputSize: 3,
                hidden: 6,
                outputSize: 4,
                numLayers: 2,
                headActivation: "Softmax",
                seed: 9,
            },
        ],
        [
            "RNN, 2 layers, last step by Slice",
            {
                cell: "rnn",
                inputSize: 2,
                hidden: 3,
                outputSize: 2,
                numLayers: 2,
                select: "slice",
                seed: 10,
            },
        ],
        [
            "LSTM, 2 layers, h_n[-1]",
            {
                cell: "lstm",
                inputSize: 3,
                hidden: 4,
                outputSize: 2,
                numLayers: 2,
                select: "h_n",
                seed: 11,
            },
        ],
        [
            "GRU, h_n[-1], time-major",
            {
                cell: "gru",
                inputSize: 2,
                hidden: 3,
                outputSize: 1,
                select: "h_n",
                batchFirst: false,
                seed: 12,
            },
        ],
        [
            "LSTM, every step, MatMul + Add head",
            {
                cell: "lstm",
                inputSize: 2,
                hidden: 6,
                outputSize: 2,
                select: "all",
                seed: 13,
            },
        ],
        [
            "GRU, every step, time-major, Relu head",
            {
                cell: "gru",
                inputSize: 1,
                hidden: 2,
                outputSize: 1,
                select: "all",
                batchFirst: false,
                headActivation: "Relu",
                seed: 14,
            },
        ],
        [
            "LSTM, MatMul head, float_data weights",
            {
                cell: "lstm",
                inputSize: 2,
                hidden: 3,
                outputSize: 2,
                linear: "matmul",
                floatEncoding: "float_data",
                seed: 15,
            },
        ],
        [
            "RNN without initial state input",
            {
                cell: "rnn",
                inputSize: 3,
                hidden: 4,
                outputSize: 1,
                initialState: "absent",
                seed: 16,
            },
        ],
        [
            "GRU with a constant zero initial_h",
            {
                cell: "gru",
                inputSize: 2,
                hidden: 2,
                outputSize: 1,
                initialState: [0, 0],
                seed: 17,
            },
        ],
    ]
    for (const [name, options] of cases)
        it(name, () => checkAgainstOrt(options))

    it("Reshape, Cast and constant arithmetic around the Linear", () =>
        // fc(out.reshape(-1, hidden).float()) then (1 - y * [2, -3]) / 4, on every step
        checkAgainstOrt({
            cell: "gru",
            inputSize: 3,
            hidden: 4,
            outputSize: 2,
            select: "all",
            linear: "gemm",
            seed: 18,
            edit: g => {
                const nodes = g.node!
                const gemm = nodes.findIndex(n => n.opType === "Gemm")
                nodes.splice(
                    gemm,
                    0,
                    {
                        name: "shape",
                        opType: "Constant",
                        output: ["rs_shape"],
                        attribute: [
                            attr.tensor("value", int64Tensor([2], [-1n, 4n])),
                        ],
                    },
                    {
                        name: "reshape",
                        opType: "Reshape",
                        input: [nodes[gemm].input![0], "rs_shape"],
                        output: ["rs"],
                    },
                    {
                        name: "cast",
                        opType: "Cast",
                        input: ["rs"],
                        output: ["rs_f"],
                        attribute: [attr.int("to", 1)],
                    }
                )
                nodes[gemm + 3].input![0] = "rs_f"
                nodes[gemm + 3].output = ["fc"]
                g.initializer!.push(
                    floatTensor("scale", [2], [2, -3], "raw"),
                    floatTensor("one", [], [1], "raw"),
                    floatTensor("four", [1], [4], "raw")
                )
                nodes.push(
                    {
                        name: "mul",
                        opType: "Mul",
                        input: ["fc", "scale"],
                        output: ["m"],
                    },
                    {
                        name: "sub",
                        opType: "Sub",
                        input: ["one", "m"],
                        output: ["s"],
                    },
                    {
                        name: "div",
                        opType: "Div",
                        input: ["s", "four"],
                        output: ["output"],
                    }
                )
                g.output![0].type!.tensorType!.shape!.dim = [
                    { dimParam: "rows" },
                    { dimValue: 2 },
                ]
            },
        }))

    it("an input whose feature count is symbolic takes it from W", () =>
        checkAgainstOrt({
            cell: "lstm",
            inputSize: 3,
            hidden: 2,
            outputSize: 1,
            seed: 19,
            edit: g =>
                (g.input![0].type!.tensorType!.shape!.dim![2] = {
                    dimParam: "features",
                }),
        }))

    it("maps the layers and activations", async () => {
        const model = await checkAgainstOrt({
            cell: "lstm",
            inputSize: 3,
            hidden: 4,
            outputSize: 2,
            numLayers: 2,
            headActivation: "Sigmoid",
            seed: 20,
        })
        expect(model.layers.map(l => [l.type, l.units, l.activation])).toEqual([
            ["lstm", 4, "tanh"],
            ["lstm", 4, "tanh"],
            ["dense", 2, "sigmoid"],
        ])
        const gru = importOnnxBytes(
            buildTorchLikeModel({
                cell: "gru",
                inputSize: 1,
                hidden: 2,
                outputSize: 1,
                linearBeforeReset: 0,
                seed: 21,
            }).bytes,
            "m"
        )
        expect(gru.layers[0]).toMatchObject({
            type: "gru",
            resetAfter: false,
            recurrentActivation: "sigmoid",
        })
    })
})

describe("importOnnx(path)", () => {
    it("names the model after the file and errors after the path", () => {
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-onnx-"))
        try {
            const path = join(dir, "sensor.onnx")
            writeFileSync(
                path,
                buildTorchLikeModel({
                    cell: "rnn",
                    inputSize: 1,
                    hidden: 2,
                    outputSize: 1,
                    seed: 40,
                }).bytes
            )
            expect(importOnnx(path).name).toBe("sensor")
            const missing = join(dir, "missing.onnx")
            expect(() => importOnnx(missing)).toThrow(
                new UserError(`${missing}: cannot read the file (ENOENT)`)
            )
            writeFileSync(path, "not protobuf")
            expect(() => importOnnx(path)).toThrow(
                `${path}: not a valid ONNX model`
            )
        } finally {
            rmSync(dir, { recursive: true })
        }
    })
})

/** The error an import throws, checked to be a one-line UserError. */
function importError(bytes: Uint8Array): UserError {
    let error: unknown
    try {
        importOnnxBytes(bytes, "bad.onnx")
    } catch (e) {
        error = e
    }
    expect(error).toBeInstanceOf(UserError)
    const message = (error as UserError).message
    expect(message).not.toContain("\n")
    expect(message.startsWith("bad.onnx: ")).toBe(true)
    return error as UserError
}

function unsupported(
    options: Partial<TorchLikeOptions>,
    edit?: (g: IGraph) => void
): UserError {
    const e = importError(
        buildTorchLikeModel({
            cell: "lstm",
            inputSize: 2,
            hidden: 3,
            outputSize: 1,
            seed: 30,
            ...options,
            edit,
        }).bytes
    )
    expect(e).toBeInstanceOf(UnsupportedError)
    expect(e.exitCode).toBe(2)
    return e
}

const nodeOf = (g: IGraph, op: string) => g.node!.find(n => n.opType === op)!

describe("importOnnx rejects bad and unsupported files", () => {
    const good = buildTorchLikeModel({
        cell: "gru",
        inputSize: 2,
        hidden: 3,
        outputSize: 1,
        seed: 31,
    }).bytes

    it("truncated files", () => {
        for (const length of [1, 10, good.length >> 1, good.length - 3])
            expect(importError(good.slice(0, length)).exitCode).toBe(1)
    })

    it("random bytes", () => {
        const rand = seededRandom(32)
        for (let k = 0; k < 50; k++)
            importError(
                Uint8Array.from({ length: 1 + k * 13 }, () =>
                    Math.floor(rand() * 256)
                )
            )
    })

    it("an unsupported op names the op and the node", () => {
        const e = unsupported({}, g => {
            Object.assign(nodeOf(g, "Gemm"), { opType: "Conv", name: "conv1" })
        })
        expect(e.message).toBe(
            "bad.onnx: unsupported ONNX op 'Conv' (node 'conv1')"
        )
    })

    it("bidirectional and reverse layers", () => {
        for (const direction of ["bidirectional", "reverse"]) {
            const e = unsupported({}, g =>
                nodeOf(g, "LSTM").attribute!.push(
                    attr.string("direction", direction)
                )
            )
            expect(e.message).toContain(`direction '${direction}'`)
            expect(e.message).toContain("(LSTM)")
        }
    })

    it("clip and input_forget", () => {
        expect(
            unsupported({}, g =>
                nodeOf(g, "LSTM").attribute!.push(attr.float("clip", 3))
            ).message
        ).toContain("clip")
        expect(
            unsupported({}, g =>
                nodeOf(g, "LSTM").attribute!.push(attr.int("input_forget", 1))
            ).message
        ).toContain("input_forget")
    })

    it("a NaN in a weight", () => {
        const bytes = buildTorchLikeModel({
            cell: "rnn",
            inputSize: 2,
            hidden: 3,
            outputSize: 1,
            floatEncoding: "float_data",
            seed: 33,
            edit: g => (g.initializer![1].floatData![4] = NaN),
        }).bytes
        const e = importError(bytes)
        expect(e).not.toBeInstanceOf(UnsupportedError)
        expect(e.message).toMatch(/tensor 'onnx::RNN_\d+' value 4 is NaN/)
    })

    it("a non-zero initial state", () => {
        expect(
            unsupported({ cell: "gru", initialState: [0, 0.5, 0] }).message
        ).toContain("initial_h is not all zeros")
    })

    it("an initial state fed from a graph input", () => {
        const e = unsupported({ initialState: "absent" }, g => {
            g.input!.push({ ...g.input![0], name: "h0" })
            nodeOf(g, "LSTM").input![5] = "h0"
        })
        expect(e.message).toContain("initial_h")
    })

    it("picking a time step other than the last", () => {
        const e = unsupported({}, g => {
            const gather = g.node!.find(
                n => n.opType === "Gather" && n.name?.startsWith("/model/")
            )!
            const index = g.node!.find(n => n.output![0] === gather.input![1])!
            const t = index.attribute![0].t!
            t.rawData = new Uint8Array(8)
        })
        expect(e.message).toContain("time step 0")
    })

    it("weights of a type other than float32", () => {
        const bytes = buildTorchLikeModel({
            cell: "rnn",
            inputSize: 1,
            hidden: 1,
            outputSize: 1,
            seed: 34,
            edit: g => (g.initializer![0].dataType = 10),
        }).bytes
        expect(importError(bytes).message).toContain("FLOAT16")
    })
})
