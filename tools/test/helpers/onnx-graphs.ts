/**
 * Builds ONNX files shaped like what torch.onnx.export (opset 17) writes for
 * nn.RNN / nn.LSTM / nn.GRU followed by nn.Linear: the batch_first
 * Transposes, the Shape -> Gather -> Concat -> ConstantOfShape glue for the
 * zero initial state, a Squeeze of num_directions after every layer, the
 * last-step selection and the Linear as Gemm or MatMul + Add.
 */

import onnxProto from "onnx-proto"
import { randomMatrix, seededRandom } from "../../src/model/random.ts"

const { onnx } = onnxProto
type INode = onnxProto.onnx.INodeProto
type ITensor = onnxProto.onnx.ITensorProto
type IAttribute = onnxProto.onnx.IAttributeProto
export type IGraph = onnxProto.onnx.IGraphProto

export interface TorchLikeOptions {
    cell: "rnn" | "lstm" | "gru"
    inputSize: number
    hidden: number
    outputSize: number
    numLayers?: number
    batchFirst?: boolean
    /** GRU only; PyTorch always exports 1. */
    linearBeforeReset?: 0 | 1
    /** The ONNX `activations` attribute, written only when given (nn.RNN writes ["Tanh"] or ["Relu"]). */
    activations?: string[]
    /** How the output is taken from the recurrent layers: last step of Y, via Gather or Slice, h_n[-1], or every step. */
    select?: "gather" | "slice" | "h_n" | "all"
    linear?: "gemm" | "matmul"
    headActivation?: "Sigmoid" | "Tanh" | "Relu" | "Softmax"
    /** "glue" is PyTorch's zeros built from the input shape; an array is a constant initial_h of the first layer. */
    initialState?: "glue" | "absent" | number[]
    /** Float initializers as raw_data (what PyTorch writes) or as float_data. */
    floatEncoding?: "raw" | "float_data"
    seed: number
    /** Changes the graph before it is encoded, to make broken or unsupported files. */
    edit?: (graph: IGraph) => void
}

export interface TorchLikeModel {
    bytes: Uint8Array
    inputName: string
    outputName: string
}

const INT64_MAX = 9223372036854775807n

export function floatTensor(
    name: string,
    dims: number[],
    values: number[],
    encoding: "raw" | "float_data"
): ITensor {
    if (encoding === "float_data")
        return {
            name,
            dims,
            dataType: onnx.TensorProto.DataType.FLOAT,
            floatData: values,
        }
    const raw = new Uint8Array(4 * values.length)
    const view = new DataView(raw.buffer)
    values.forEach((v, i) => view.setFloat32(4 * i, v, true))
    return {
        name,
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: raw,
    }
}

export function int64Tensor(dims: number[], values: bigint[]): ITensor {
    const raw = new Uint8Array(8 * values.length)
    const view = new DataView(raw.buffer)
    values.forEach((v, i) => view.setBigInt64(8 * i, v, true))
    return { dims, dataType: onnx.TensorProto.DataType.INT64, rawData: raw }
}

const A = onnx.AttributeProto.AttributeType
const text = (s: string) => new TextEncoder().encode(s)
export const attr = {
    int: (name: string, i: number): IAttribute => ({ name, type: A.INT, i }),
    ints: (name: string, ints: number[]): IAttribute => ({
        name,
        type: A.INTS,
        ints,
    }),
    float: (name: string, f: number): IAttribute => ({
        name,
        type: A.FLOAT,
        f,
    }),
    string: (name: string, s: string): IAttribute => ({
        name,
        type: A.STRING,
        s: text(s),
    }),
    strings: (name: string, s: string[]): IAttribute => ({
        name,
        type: A.STRINGS,
        strings: s.map(text),
    }),
    tensor: (name: string, t: ITensor): IAttribute => ({
        name,
        type: A.TENSOR,
        t,
    }),
}

/** Collects nodes and initializers with PyTorch-style names ("/rnn/LSTM", "onnx::LSTM_12"). */
class GraphBuilder {
    nodes: INode[] = []
    initializers: ITensor[] = []
    private counter = 0

    node(
        op: string,
        scope: string,
        inputs: string[],
        attributes: IAttribute[] = [],
        outputCount = 1
    ): string[] {
        const name = `/${scope}/${op}_${this.counter++}`
        const output = Array.from(
            { length: outputCount },
            (_, k) => `${name}_output_${k}`
        )
        this.nodes.push({
            name,
            opType: op,
            input: inputs,
            output,
            attribute: attributes,
        })
        return output
    }

    int64s(values: (number | bigint)[], scalar = false): string {
        const t = int64Tensor(scalar ? [] : [values.length], values.map(BigInt))
        return this.node("Constant", "const", [], [attr.tensor("value", t)])[0]
    }

    weight(
        op: string,
        dims: number[],
        values: number[],
        encoding: "raw" | "float_data"
    ): string {
        const name = `onnx::${op}_${this.counter++}`
        this.initializers.push(floatTensor(name, dims, values, encoding))
        return name
    }
}

const GATES = { rnn: 1, lstm: 4, gru: 3 }
const OP = { rnn: "RNN", lstm: "LSTM", gru: "GRU" } as const

export function buildTorchLikeModel(o: TorchLikeOptions): TorchLikeModel {
    const rand = seededRandom(o.seed)
    const layers = o.numLayers ?? 1
    const batchFirst = o.batchFirst ?? true
    const select = o.select ?? "gather"
    const encoding = o.floatEncoding ?? "raw"
    const state = o.initialState ?? "glue"
    const op = OP[o.cell]
    const gates = GATES[o.cell]
    const H = o.hidden
    // Larger than PyTorch's 1/sqrt(H) init so that gates saturate and every nonlinearity matters.
    const scale = 1.5 / Math.sqrt(H)
    const g = new GraphBuilder()

    let x = batchFirst
        ? g.node(
              "Transpose",
              "rnn",
              ["input"],
              [attr.ints("perm", [1, 0, 2])]
          )[0]
        : "input"

    let zeros = ""
    if (state === "glue") {
        const shape = g.node("Shape", "rnn", ["input"])[0]
        const batch = g.node(
            "Gather",
            "rnn",
            [shape, g.int64s([batchFirst ? 0 : 1], true)],
            [attr.int("axis", 0)]
        )[0]
        const batch1 = g.node("Unsqueeze", "rnn", [batch, g.int64s([0])])[0]
        const dims = g.node(
            "Concat",
            "rnn",
            [g.int64s([layers]), batch1, g.int64s([H])],
            [attr.int("axis", 0)]
        )[0]
        const value = floatTensor("", [1], [0], "raw")
        zeros = g.node(
            "ConstantOfShape",
            "rnn",
            [dims],
            [attr.tensor("value", value)]
        )[0]
    }
    const initialState = (i: number): string => {
        if (state === "glue")
            return g.node("Slice", "rnn", [
                zeros,
                g.int64s([i]),
                g.int64s([i + 1]),
                g.int64s([0]),
            ])[0]
        if (state === "absent" || i > 0) return ""
        return g.weight("h0", [1, 1, H], state, encoding)
    }

    const finalHidden: string[] = []
    for (let i = 0; i < layers; i++) {
        const inSize = i === 0 ? o.inputSize : H
        const W = g.weight(
            op,
            [1, gates * H, inSize],
            randomMatrix(rand, gates * H, inSize, scale).flat(),
            encoding
        )
        const R = g.weight(
            op,
            [1, gates * H, H],
            randomMatrix(rand, gates * H, H, scale).flat(),
            encoding
        )
        const B = g.weight(
            op,
            [1, 2 * gates * H],
            randomMatrix(rand, 1, 2 * gates * H, scale)[0],
            encoding
        )
        const inputs = [x, W, R, B, "", initialState(i)]
        if (o.cell === "lstm") inputs.push(initialState(i))
        const attributes = [attr.int("hidden_size", H)]
        if (o.cell === "gru")
            attributes.push(
                attr.int("linear_before_reset", o.linearBeforeReset ?? 1)
            )
        if (o.activations)
            attributes.push(attr.strings("activations", o.activations))
        const [Y, Yh] = g.node(
            op,
            "rnn",
            inputs,
            attributes,
            o.cell === "lstm" ? 3 : 2
        )
        finalHidden.push(Yh)
        x = g.node("Squeeze", "rnn", [Y, g.int64s([1])])[0]
    }

    // x is [time, batch, H]; PyTorch transposes back before the user's out[:, -1, :].
    const timeAxis = batchFirst ? 1 : 0
    if (batchFirst && select !== "h_n")
        x = g.node("Transpose", "rnn", [x], [attr.ints("perm", [1, 0, 2])])[0]
    if (select === "gather")
        x = g.node(
            "Gather",
            "model",
            [x, g.int64s([-1], true)],
            [attr.int("axis", timeAxis)]
        )[0]
    if (select === "slice") {
        const last = g.node("Slice", "model", [
            x,
            g.int64s([-1]),
            g.int64s([INT64_MAX]),
            g.int64s([timeAxis]),
        ])[0]
        x = g.node("Squeeze", "model", [last, g.int64s([timeAxis])])[0]
    }
    if (select === "h_n") {
        const hn =
            layers > 1
                ? g.node("Concat", "rnn", finalHidden, [attr.int("axis", 0)])[0]
                : finalHidden[0]
        x = g.node(
            "Gather",
            "model",
            [hn, g.int64s([-1], true)],
            [attr.int("axis", 0)]
        )[0]
    }

    const fcW = randomMatrix(rand, o.outputSize, H, scale)
    const fcB = randomMatrix(rand, 1, o.outputSize, scale)[0]
    const bias = g.weight("fc.bias", [o.outputSize], fcB, encoding)
    if ((o.linear ?? (select === "all" ? "matmul" : "gemm")) === "gemm") {
        const weight = g.weight(
            "fc.weight",
            [o.outputSize, H],
            fcW.flat(),
            encoding
        )
        x = g.node(
            "Gemm",
            "fc",
            [x, weight, bias],
            [
                attr.float("alpha", 1),
                attr.float("beta", 1),
                attr.int("transB", 1),
            ]
        )[0]
    } else {
        const transposed = fcW[0].map((_, c) => fcW.map(row => row[c]))
        const weight = g.weight(
            "fc.weight",
            [H, o.outputSize],
            transposed.flat(),
            encoding
        )
        x = g.node("MatMul", "fc", [x, weight])[0]
        x = g.node("Add", "fc", [bias, x])[0]
    }
    if (o.headActivation)
        x = g.node(
            o.headActivation,
            "act",
            [x],
            o.headActivation === "Softmax" ? [attr.int("axis", -1)] : []
        )[0]
    g.nodes[g.nodes.length - 1].output = ["output"]

    const dim = (d: number | string) =>
        typeof d === "number" ? { dimValue: d } : { dimParam: d }
    const valueInfo = (name: string, dims: (number | string)[]) => ({
        name,
        type: {
            tensorType: {
                elemType: onnx.TensorProto.DataType.FLOAT,
                shape: { dim: dims.map(dim) },
            },
        },
    })
    const inputDims = batchFirst
        ? ["batch_size", "sequence", o.inputSize]
        : ["sequence", "batch_size", o.inputSize]
    const outputDims =
        select === "all"
            ? [...inputDims.slice(0, 2), o.outputSize]
            : ["batch_size", o.outputSize]
    const graph: IGraph = {
        name: "main_graph",
        node: g.nodes,
        initializer: g.initializers,
        input: [valueInfo("input", inputDims)],
        output: [valueInfo("output", outputDims)],
    }
    o.edit?.(graph)
    const model = onnx.ModelProto.create({
        irVersion: 8,
        producerName: "pytorch",
        producerVersion: "2.1.0",
        opsetImport: [{ domain: "", version: 17 }],
        graph,
    })
    return {
        bytes: onnx.ModelProto.encode(model).finish(),
        inputName: "input",
        outputName: "output",
    }
}
