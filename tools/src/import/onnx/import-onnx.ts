/**
 * Imports what torch.onnx.export writes for nn.RNN / nn.LSTM / nn.GRU
 * (stacked, batch_first or not) followed by nn.Linear layers and activations.
 *
 * The graph is evaluated symbolically from its first output backwards: shape
 * glue is constant-folded, the data path from the graph input is tracked as a
 * stream whose recurrent and dense nodes become canonical layers. Only nodes
 * the output depends on are evaluated, so an unused branch (an unconsumed h_n,
 * a second output) cannot make an import fail.
 */

import { readFileSync } from "node:fs"
import { basename, extname } from "node:path"
import {
    CANONICAL_FORMAT,
    CANONICAL_VERSION,
    type CanonicalModel,
} from "../../model/canonical.ts"
import { UnsupportedError, UserError, clip } from "../../core/errors.ts"
import { cleanName, validateModel } from "../../model/validate.ts"
import {
    Attributes,
    type GraphProto,
    decodeModel,
    decodeTensor,
    defaultOpset,
    int64,
    nodeLabel,
    oneLine,
    onnx,
} from "./file.ts"
import { OPS } from "./ops.ts"
import { checkNode, checkVersions, schemaOf } from "./schema.ts"
import { inputStream } from "./stream.ts"
import { type Dim, type Stream, type Value, freshDim } from "./values.ts"

const RECURRENT_OPS = ["RNN", "LSTM", "GRU"]

/** The graph input as a stream; a symbolic feature count is read from the first recurrent node's W. */
function graphInput(graph: GraphProto, name: string): Stream {
    const info = graph.input!.find(i => i.name === name)!
    const tensorType = info.type?.tensorType
    if (!tensorType?.shape)
        throw new UnsupportedError(`graph input '${clip(name)}' has no tensor shape`)
    if (tensorType.elemType !== onnx.TensorProto.DataType.FLOAT)
        throw new UnsupportedError(`graph input '${clip(name)}' is not float32`)
    const dims: Dim[] = (tensorType.shape.dim ?? []).map(d =>
        d.dimValue != null && int64(d.dimValue) > 0
            ? int64(d.dimValue)
            : d.dimParam || freshDim()
    )
    let width: Dim | undefined = dims[dims.length - 1]
    if (typeof width !== "number") {
        const first = (graph.node ?? []).find(n =>
            RECURRENT_OPS.includes(n.opType ?? "")
        )
        const w = (graph.initializer ?? []).find(
            t => t.name === first?.input?.[1]
        )
        width = w ? decodeTensor(w, "W").dims[2] : undefined
        if (typeof width !== "number")
            throw new UnsupportedError(
                `graph input '${clip(name)}' has no fixed number of features`
            )
    }
    return inputStream(dims, width)
}

function evaluateOutput(graph: GraphProto, opset: number): Value {
    const output = graph.output?.[0]?.name
    if (!output) throw new UserError("the graph has no output")
    const initializers = new Map(
        (graph.initializer ?? []).map(t => [t.name ?? "", t])
    )
    const dataInputs = (graph.input ?? [])
        .map(i => i.name ?? "")
        .filter(n => n && !initializers.has(n))
    if (dataInputs.length === 0) throw new UserError("the graph has no input")
    const values = new Map<string, Value>()
    values.set(dataInputs[0], graphInput(graph, dataInputs[0]))
    for (const extra of dataInputs.slice(1))
        values.set(extra, {
            kind: "opaque",
            why: `graph input '${clip(extra)}' (only one input, the sequence of feature rows, is supported)`,
        })

    const nodes = graph.node ?? []
    const producer = new Map<string, number>()
    nodes.forEach((n, i) => n.output?.forEach(o => o && producer.set(o, i)))
    const needed = new Set<number>()
    const pending = [output]
    while (pending.length > 0) {
        const i = producer.get(pending.pop()!)
        if (i === undefined || needed.has(i)) continue
        needed.add(i)
        pending.push(...(nodes[i].input ?? []).filter(Boolean))
    }

    const lookup = (name: string): Value => {
        const v = values.get(name)
        if (v) return v
        const init = initializers.get(name)
        if (init) {
            const t = decodeTensor(init, name)
            values.set(name, t)
            return t
        }
        if (producer.has(name))
            throw new UserError(
                `value '${clip(name)}' is used before the node that produces it (nodes must be in topological order)`
            )
        throw new UserError(`value '${clip(name)}' is used but never produced`)
    }

    nodes.forEach((node, i) => {
        if (!needed.has(i)) return
        const label = nodeLabel(node)
        const op = node.opType ?? ""
        const schema =
            !node.domain || node.domain === "ai.onnx" ? schemaOf(op) : undefined
        // own properties only: an op named `constructor` or `__proto__` is no op
        if (!schema || !Object.hasOwn(OPS, op))
            throw new UnsupportedError(
                `unsupported ONNX op '${clip(`${node.domain ? `${node.domain}.` : ""}${op}`)}' (node '${label}')`
            )
        const impl = OPS[op]
        let outs: Value[]
        try {
            checkNode(node, schema, opset)
            const inputs = (node.input ?? []).map(name =>
                name ? lookup(name) : undefined
            )
            outs = impl(inputs, { attrs: new Attributes(node), opset, label })
        } catch (e) {
            if (e instanceof UnsupportedError)
                e.within(`node '${label}' (${op}) is not supported`)
            else if (e instanceof UserError) e.within(`node '${label}' (${op})`)
            throw e
        }
        node.output?.forEach((name, k) => {
            if (name)
                values.set(
                    name,
                    outs[k] ?? {
                        kind: "opaque",
                        why: `output ${k} of node '${label}'`,
                    }
                )
        })
    })
    return lookup(output)
}

function toModel(out: Value, name: string): CanonicalModel {
    if (out.kind === "known" || out.kind === "fill")
        throw new UserError("the graph output does not depend on the input")
    if (out.kind === "opaque")
        throw new UnsupportedError(`the graph output depends on ${out.why}`)
    if (out.kind === "stack")
        throw new UnsupportedError(
            "the graph output concatenates several layers' outputs, which is not supported"
        )
    const features = out.axes.findIndex(a => a.role === "feature")
    if (features >= 0 && features !== out.axes.length - 1)
        throw new UnsupportedError(
            "the graph output does not have its features on the last axis, which is not supported"
        )
    const input = out.layers[0]?.inputSize ?? out.width
    return validateModel({
        format: CANONICAL_FORMAT,
        version: CANONICAL_VERSION,
        name,
        inputSize: input,
        outputSize: out.width,
        layers: out.layers,
    })
}

function importFrom(
    bytes: Uint8Array,
    name: string,
    source: string
): CanonicalModel {
    try {
        const model = decodeModel(bytes)
        const opset = defaultOpset(model)
        checkVersions(int64(model.irVersion ?? 0), opset)
        return toModel(evaluateOutput(model.graph!, opset), cleanName(name))
    } catch (e) {
        if (e instanceof UserError) e.message = oneLine(e.within(source).message)
        throw e
    }
}

/** Imports an ONNX model from its bytes; `name` names the model and prefixes every error message. */
export function importOnnxBytes(
    bytes: Uint8Array,
    name: string
): CanonicalModel {
    return importFrom(bytes, name, name)
}

export function importOnnx(path: string): CanonicalModel {
    let bytes: Uint8Array
    try {
        bytes = readFileSync(path)
    } catch (e) {
        throw new UserError(
            `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`
        )
    }
    return importFrom(bytes, basename(path, extname(path)), path)
}
