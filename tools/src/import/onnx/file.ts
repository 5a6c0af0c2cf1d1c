/**
 * Reading the parts of an ONNX file the importer needs: the protobuf decode,
 * tensors and node attributes. Everything is checked here, so a malformed or
 * truncated file fails with a one-line UserError instead of a TypeError deep
 * inside the importer.
 */

import onnxProto from "onnx-proto"
import { UnsupportedError, UserError, clip, quote } from "../../core/errors.ts"
import { type Known, known } from "./values.ts"

export const { onnx } = onnxProto
export type NodeProto = onnxProto.onnx.INodeProto
export type GraphProto = onnxProto.onnx.IGraphProto
export type TensorProto = onnxProto.onnx.ITensorProto

/** protobufjs gives int64 fields as Long objects when the `long` package is installed. */
type Int64 = number | { toNumber(): number }

export function int64(v: Int64): number {
    return typeof v === "number" ? v : v.toNumber()
}

export function oneLine(text: string): string {
    return text.replace(/\s+/g, " ").trim()
}

export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
    let model: onnxProto.onnx.ModelProto
    try {
        model = onnx.ModelProto.decode(bytes)
    } catch (e) {
        throw new UserError(
            `not a valid ONNX model (${oneLine((e as Error).message)})`
        )
    }
    if (!model.graph)
        throw new UserError("not a valid ONNX model (it has no graph)")
    return model
}

/** The version of the default ("ai.onnx") operator set, which decides a few attribute defaults. */
export function defaultOpset(model: onnxProto.onnx.IModelProto): number {
    const entry = (model.opsetImport ?? []).find(
        o => !o.domain || o.domain === "ai.onnx"
    )
    if (!entry || entry.version == null)
        throw new UserError(
            "the model imports no version of the default ONNX operator set"
        )
    return int64(entry.version)
}

/** How messages name a node: its name, or failing that its first output. */
export function nodeLabel(node: NodeProto): string {
    return clip(node.name || node.output?.[0] || "(unnamed)", 60)
}

const { DataType } = onnx.TensorProto

function rawView(
    raw: Uint8Array,
    bytesPer: number,
    count: number,
    name: string
): DataView {
    if (raw.length !== bytesPer * count)
        throw new UserError(
            `tensor '${name}' has ${raw.length} bytes of data, its dims need ${bytesPer * count}`
        )
    return new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
}

function checkCount(length: number, count: number, name: string): void {
    if (length !== count)
        throw new UserError(
            `tensor '${name}' has ${length} values, its dims need ${count}`
        )
}

/** Decodes FLOAT, INT32 and INT64 tensors; weights must be finite. */
export function decodeTensor(t: TensorProto, fallbackName: string): Known {
    const name = clip(t.name || fallbackName)
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
        throw new UnsupportedError(
            `tensor '${name}' keeps its data in an external file; export the model as a single .onnx file`
        )
    const dims = (t.dims ?? []).map(int64)
    if (dims.some(d => !Number.isInteger(d) || d < 0))
        throw new UserError(`tensor '${name}' has invalid dims ${quote(dims)}`)
    const count = dims.reduce((a, b) => a * b, 1)
    const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined
    let data: number[]
    switch (t.dataType) {
        case DataType.FLOAT: {
            if (raw) {
                const view = rawView(raw, 4, count, name)
                data = Array.from({ length: count }, (_, i) =>
                    view.getFloat32(4 * i, true)
                )
            } else data = t.floatData ?? []
            checkCount(data.length, count, name)
            const bad = data.findIndex(v => !Number.isFinite(v))
            if (bad >= 0)
                throw new UserError(
                    `tensor '${name}' value ${bad} is ${data[bad]}, not a finite number`
                )
            return known(dims, data, false)
        }
        case DataType.INT64: {
            if (raw) {
                const view = rawView(raw, 8, count, name)
                data = Array.from({ length: count }, (_, i) =>
                    Number(view.getBigInt64(8 * i, true))
                )
            } else data = (t.int64Data ?? []).map(int64)
            checkCount(data.length, count, name)
            return known(dims, data, true)
        }
        case DataType.INT32: {
            if (raw) {
                const view = rawView(raw, 4, count, name)
                data = Array.from({ length: count }, (_, i) =>
                    view.getInt32(4 * i, true)
                )
            } else data = t.int32Data ?? []
            checkCount(data.length, count, name)
            return known(dims, data, true)
        }
        default: {
            const type = DataType[t.dataType ?? 0] ?? `#${t.dataType}`
            throw new UserError(
                `tensor '${name}' has data type ${type}; only FLOAT (float32), INT32 and INT64 tensors are supported`
            )
        }
    }
}

const { AttributeType } = onnx.AttributeProto

/** Typed access to a node's attributes; a wrong attribute type is a malformed file. */
export class Attributes {
    constructor(private readonly node: NodeProto) {}

    private get(
        name: string,
        type: onnxProto.onnx.AttributeProto.AttributeType
    ) {
        const a = (this.node.attribute ?? []).find(x => x.name === name)
        if (!a) return undefined
        if (a.type !== type)
            throw new UserError(
                `attribute '${name}' has type ${AttributeType[a.type ?? 0] ?? a.type}, expected ${AttributeType[type]}`
            )
        return a
    }

    has(name: string): boolean {
        return (this.node.attribute ?? []).some(x => x.name === name)
    }

    int(name: string, fallback: number): number {
        const a = this.get(name, AttributeType.INT)
        return a ? int64(a.i ?? 0) : fallback
    }

    float(name: string, fallback: number): number {
        const a = this.get(name, AttributeType.FLOAT)
        return a ? (a.f ?? 0) : fallback
    }

    string(name: string, fallback: string): string {
        const a = this.get(name, AttributeType.STRING)
        return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : fallback
    }

    ints(name: string): number[] | undefined {
        return this.get(name, AttributeType.INTS)?.ints?.map(int64)
    }

    floats(name: string): number[] | undefined {
        return this.get(name, AttributeType.FLOATS)?.floats ?? undefined
    }

    strings(name: string): string[] | undefined {
        return this.get(name, AttributeType.STRINGS)?.strings?.map(s =>
            new TextDecoder().decode(s)
        )
    }

    tensor(name: string): TensorProto | undefined {
        return this.get(name, AttributeType.TENSOR)?.t ?? undefined
    }
}
