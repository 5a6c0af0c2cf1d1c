/**
 * Fuzz target: .onnx bytes written by PyTorch or shaped like torch.onnx.export's, with edited ops,
 * attributes, inputs, tensors and versions, then truncated or with flipped
 * bytes. The importer runs on the bytes in-process.
 */
import fc from "fast-check"
import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import onnxProto from "onnx-proto"
import { importOnnxBytes } from "../../../src/import/onnx/import-onnx.ts"
import { SCHEMAS } from "../../../src/import/onnx/schema.ts"
import { attr, buildTorchLikeModel, floatTensor } from "../onnx-graphs.ts"
import { type ByteEdits, byteEdits, editBytes, someEdits } from "./json-edits.ts"
import { expectRefusalOrModel } from "./property.ts"

const { onnx } = onnxProto
type Model = onnxProto.onnx.ModelProto

const torchLike = fc.record({
    cell: fc.constantFrom("rnn" as const, "lstm" as const, "gru" as const),
    inputSize: fc.integer({ min: 1, max: 3 }),
    hidden: fc.integer({ min: 1, max: 4 }),
    outputSize: fc.integer({ min: 1, max: 3 }),
    numLayers: fc.integer({ min: 1, max: 2 }),
    batchFirst: fc.boolean(),
    select: fc.constantFrom("gather" as const, "slice" as const, "h_n" as const, "all" as const),
    linear: fc.constantFrom("gemm" as const, "matmul" as const),
    headActivation: fc.option(fc.constantFrom("Sigmoid" as const, "Tanh" as const, "Relu" as const, "Softmax" as const), { nil: undefined }),
    initialState: fc.constantFrom("glue" as const, "absent" as const),
    floatEncoding: fc.constantFrom("raw" as const, "float_data" as const),
    seed: fc.nat(),
})

const OP_TYPES = [...Object.keys(SCHEMAS), "__proto__", "constructor", "hasOwnProperty", "valueOf", "toString", "Conv", "", "LSTM ", "lstm", "x".repeat(300)]
const ATTRIBUTE_NAMES = ["hidden_size", "hiden_size", "direction", "activations", "activation_alpha", "linear_before_reset", "layout", "clip", "input_forget", "axis", "axes", "perm", "to", "value", "alpha", "beta", "transA", "transB", "allowzero", "start", "end", "starts", "ends", "foo", "__proto__"]

/** One structural edit of the decoded model; `i`, `j` pick nodes, inputs, tensors modulo their count. */
const modelEdit = fc.oneof(
    fc.record({ kind: fc.constant("opType" as const), i: fc.nat(), op: fc.constantFrom(...OP_TYPES) }),
    fc.record({ kind: fc.constant("addAttribute" as const), i: fc.nat(), name: fc.constantFrom(...ATTRIBUTE_NAMES), value: fc.oneof(fc.integer({ min: -3, max: 1_000_000 }), fc.double({ noNaN: false }), fc.array(fc.integer({ min: -3, max: 5 }), { maxLength: 4 }), fc.constantFrom("forward", "reverse", "bidirectional", "Tanh", "Elu", "")) }),
    fc.record({ kind: fc.constant("setAttribute" as const), i: fc.nat(), j: fc.nat(), value: fc.oneof(fc.integer({ min: -3, max: 1_000_000 }), fc.double()) }),
    fc.record({ kind: fc.constant("dropAttribute" as const), i: fc.nat(), j: fc.nat() }),
    fc.record({ kind: fc.constant("input" as const), i: fc.nat(), j: fc.nat(), name: fc.constantFrom("", "nope", "input", "@same") }),
    fc.record({ kind: fc.constant("dropInput" as const), i: fc.nat(), j: fc.nat() }),
    fc.record({ kind: fc.constant("dropNode" as const), i: fc.nat() }),
    fc.record({ kind: fc.constant("swapNodes" as const), i: fc.nat(), j: fc.nat() }),
    fc.record({ kind: fc.constant("tensorDims" as const), i: fc.nat(), dims: fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 4 }) }),
    fc.record({ kind: fc.constant("tensorType" as const), i: fc.nat(), type: fc.integer({ min: 0, max: 17 }) }),
    fc.record({ kind: fc.constant("tensorValue" as const), i: fc.nat(), value: fc.constantFrom(NaN, Infinity, -Infinity, 3e38, 1e-45) }),
    fc.record({ kind: fc.constant("opset" as const), version: fc.constantFrom(1, 6, 7, 9, 10, 11, 12, 13, 14, 17, 18, 21, 26, 27, 999) }),
    fc.record({ kind: fc.constant("irVersion" as const), version: fc.constantFrom(0, 1, 3, 7, 8, 13, 14, 999) }),
    fc.record({ kind: fc.constant("inputShape" as const), j: fc.nat(), dim: fc.integer({ min: -1, max: 5 }), elemType: fc.constantFrom(1, 1, 7, 11) })
)
type ModelEdit = typeof modelEdit extends fc.Arbitrary<infer T> ? T : never

const pick = <T>(items: T[] | null | undefined, i: number): T | undefined => (items && items.length ? items[i % items.length] : undefined)

function applyModelEdit(m: Model, e: ModelEdit): void {
    const g = m.graph!
    const nodes = g.node ?? []
    switch (e.kind) {
        case "opType":
            if (nodes.length) nodes[e.i % nodes.length].opType = e.op
            return
        case "addAttribute": {
            const node = pick(nodes, e.i)
            if (!node) return
            const v = e.value
            const a = typeof v === "string" ? attr.string(e.name, v) : Array.isArray(v) ? attr.ints(e.name, v) : Number.isInteger(v) ? attr.int(e.name, v) : attr.float(e.name, v)
            node.attribute = [...(node.attribute ?? []), a]
            return
        }
        case "setAttribute": {
            const a = pick(pick(nodes, e.i)?.attribute, e.j)
            if (!a) return
            if (a.type === onnx.AttributeProto.AttributeType.INT && Number.isInteger(e.value)) a.i = e.value
            else if (a.type === onnx.AttributeProto.AttributeType.FLOAT) a.f = e.value
            else if (a.type === onnx.AttributeProto.AttributeType.INTS) a.ints = [Math.trunc(e.value) % 7]
            return
        }
        case "dropAttribute": {
            const node = pick(nodes, e.i)
            if (node?.attribute?.length) node.attribute.splice(e.j % node.attribute.length, 1)
            return
        }
        case "input": {
            const node = pick(nodes, e.i)
            if (!node?.input?.length) return
            const k = e.j % node.input.length
            node.input[k] = e.name === "@same" ? (pick(nodes, e.j)?.output?.[0] ?? "") : e.name
            return
        }
        case "dropInput": {
            const node = pick(nodes, e.i)
            if (node?.input?.length) node.input.splice(e.j % node.input.length, 1)
            return
        }
        case "dropNode":
            if (nodes.length) nodes.splice(e.i % nodes.length, 1)
            return
        case "swapNodes": {
            if (!nodes.length) return
            const [a, b] = [e.i % nodes.length, e.j % nodes.length]
            ;[nodes[a], nodes[b]] = [nodes[b], nodes[a]]
            return
        }
        case "tensorDims": {
            const t = pick(g.initializer, e.i)
            if (t) t.dims = e.dims
            return
        }
        case "tensorType": {
            const t = pick(g.initializer, e.i)
            if (t) t.dataType = e.type
            return
        }
        case "tensorValue": {
            const t = pick(g.initializer, e.i)
            if (!t || t.dataType !== onnx.TensorProto.DataType.FLOAT) return
            const values = t.rawData?.length ? Array.from(new Float32Array(Uint8Array.from(t.rawData).buffer)) : [...(t.floatData ?? [])]
            if (!values.length) return
            values[e.i % values.length] = e.value
            const fresh = floatTensor(t.name ?? "", (t.dims ?? []).map(Number), values, t.rawData?.length ? "raw" : "float_data")
            t.rawData = fresh.rawData ?? new Uint8Array()
            t.floatData = fresh.floatData ?? []
            return
        }
        case "opset":
            m.opsetImport = [{ domain: "", version: e.version }]
            return
        case "irVersion":
            m.irVersion = e.version
            return
        case "inputShape": {
            const type = g.input?.[0]?.type?.tensorType
            if (!type) return
            type.elemType = e.elemType
            const dim = pick(type.shape?.dim, e.j)
            if (dim) {
                dim.dimValue = e.dim
                dim.dimParam = ""
            }
        }
    }
}

/** The files real PyTorch wrote (tools/scripts/gen-pytorch-fixtures.py). */
const PYTORCH_DIR = fileURLToPath(new URL("../../fixtures/pytorch/", import.meta.url))
const PYTORCH_FILES = readdirSync(PYTORCH_DIR).filter(f => f.endsWith(".onnx")).sort()

export const onnxCase = fc.record({
    base: fc.oneof({ weight: 3, arbitrary: torchLike }, { weight: 1, arbitrary: fc.constantFrom(...PYTORCH_FILES) }),
    edits: someEdits(modelEdit),
    bytes: byteEdits,
})
type OnnxCase = typeof onnxCase extends fc.Arbitrary<infer T> ? T : never

/** The case's file bytes: built, edited as a model, re-encoded, edited as bytes. */
export function onnxBytes(c: OnnxCase): Uint8Array {
    const base = typeof c.base === "string" ? readFileSync(join(PYTORCH_DIR, c.base)) : buildTorchLikeModel(c.base).bytes
    const m = onnx.ModelProto.decode(base)
    for (const e of c.edits) applyModelEdit(m, e as ModelEdit)
    return editBytes(onnx.ModelProto.encode(m).finish(), c.bytes as ByteEdits)
}

export function runOnnxCase(c: OnnxCase): Promise<string> {
    const bytes = onnxBytes(c)
    return expectRefusalOrModel(() => importOnnxBytes(bytes, "fuzz"))
}
