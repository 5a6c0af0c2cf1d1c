/**
 * Weight packing and quantization. The byte layout here is what the device
 * reads, so it is fixed: row-major, little-endian, one float32 scale per
 * output row for the integer encodings (symmetric, no zero point).
 */

import type { Activation, CanonicalModel, Layer, Matrix } from "./canonical.ts"

export type Encoding = "f32" | "i16" | "i8"

export interface PackedMatrix {
    encoding: Encoding
    rows: number
    cols: number
    data: Uint8Array
    scales: Float32Array | null
}

/** Bytes of one weight in flash. */
export const WEIGHT_BYTES: Record<Encoding, number> = { f32: 4, i16: 2, i8: 1 }
/** Symmetric range: -128 / -32768 are never produced, so q and -q both fit. */
const QMAX = { i16: 32767, i8: 127 }

function checkFinite(name: string, r: number, values: number[]): void {
    values.forEach((w, c) => {
        // fround catches values finite in float64 but overflowing float32.
        if (!Number.isFinite(Math.fround(w)))
            throw new Error(
                `${name}: row ${r}, column ${c} is ${w}, not a finite float32`
            )
    })
}

/** `name` only labels error messages, e.g. "layers[0].Wx". */
export function packMatrix(
    m: Matrix,
    encoding: Encoding,
    name = "matrix"
): PackedMatrix {
    const rows = m.length
    const cols = rows ? m[0].length : 0
    const data = new Uint8Array(rows * cols * WEIGHT_BYTES[encoding])
    const view = new DataView(data.buffer)
    const scales = encoding === "f32" ? null : new Float32Array(rows)
    m.forEach((row, r) => {
        if (row.length !== cols)
            throw new Error(
                `${name}: row ${r} has ${row.length} columns, expected ${cols}`
            )
        checkFinite(name, r, row)
        const base = r * cols
        if (encoding === "f32") {
            row.forEach((w, c) => view.setFloat32((base + c) * 4, w, true))
            return
        }
        const qmax = QMAX[encoding]
        const maxAbs = row.reduce((a, w) => Math.max(a, Math.abs(w)), 0)
        // Round against the float32 scale the device multiplies by, so q is
        // the nearest step of that scale, not of a float64 one it never sees.
        const scale = Math.fround(maxAbs / qmax)
        scales![r] = scale
        row.forEach((w, c) => {
            const q =
                scale === 0
                    ? 0
                    : Math.max(-qmax, Math.min(qmax, Math.round(w / scale)))
            if (encoding === "i8") view.setInt8(base + c, q)
            else view.setInt16((base + c) * 2, q, true)
        })
    })
    return { encoding, rows, cols, data, scales }
}

/** The float64 values the device effectively multiplies with. */
export function unpackMatrix(p: PackedMatrix): Matrix {
    const view = new DataView(
        p.data.buffer,
        p.data.byteOffset,
        p.data.byteLength
    )
    const out: Matrix = []
    for (let r = 0; r < p.rows; r++) {
        const row: number[] = []
        for (let c = 0; c < p.cols; c++) {
            const i = r * p.cols + c
            if (p.encoding === "f32") row.push(view.getFloat32(i * 4, true))
            else {
                const q =
                    p.encoding === "i8"
                        ? view.getInt8(i)
                        : view.getInt16(i * 2, true)
                row.push(q * p.scales![r])
            }
        }
        out.push(row)
    }
    return out
}

/** float32 little-endian, the on-device format of biases and scales. */
export function packVector(v: number[], name = "vector"): Uint8Array {
    checkFinite(name, 0, v)
    const data = new Uint8Array(v.length * 4)
    const view = new DataView(data.buffer)
    v.forEach((x, i) => view.setFloat32(i * 4, x, true))
    return data
}

export function unpackVector(data: Uint8Array): number[] {
    if (data.byteLength % 4)
        throw new Error(
            `float32 vector has ${data.byteLength} bytes, not a multiple of 4`
        )
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    const out: number[] = []
    for (let i = 0; i < data.byteLength; i += 4)
        out.push(view.getFloat32(i, true))
    return out
}

export function quantizationError(
    original: Matrix,
    p: PackedMatrix
): { maxAbs: number; rms: number } {
    const q = unpackMatrix(p)
    if (original.length !== p.rows)
        throw new Error(
            `original has ${original.length} rows, packed has ${p.rows}`
        )
    let maxAbs = 0
    let sumSq = 0
    original.forEach((row, r) => {
        if (row.length !== p.cols)
            throw new Error(
                `original row ${r} has ${row.length} columns, packed has ${p.cols}`
            )
        row.forEach((w, c) => {
            const e = Math.abs(w - q[r][c])
            maxAbs = Math.max(maxAbs, e)
            sumSq += e * e
        })
    })
    const n = p.rows * p.cols
    return { maxAbs, rms: n ? Math.sqrt(sumSq / n) : 0 }
}

/** Activations whose values lie in [-1, 1]. */
const BOUNDED: Activation[] = ["tanh", "sigmoid", "hard_sigmoid"]
/** Gates whose values lie in [0, 1]: a GRU's h' = z h + (1 - z) n stays within the range of h and n. */
const UNIT_GATES: Activation[] = ["sigmoid", "hard_sigmoid"]
/** Where the second row's sum starts in a packed float64: low + high * 2^PACK_SHIFT. */
export const PACK_SHIFT = 26
/** Finer than this is not worth a grid; coarser would cost accuracy. */
const MIN_HIDDEN_BITS = 8

/**
 * The grid of the h that W_h multiplies, in bits (0: h as it is). Only i8
 * layers whose h stays within [-1, 1] get one: h rounded to a multiple of
 * 2^-bits with bits = 25 - ceil(log2(L + 1)), L the largest sum of |q| over a
 * row of W_h. Then each row's sum of q * round(h * 2^bits) is an integer of
 * magnitude below 2^25, and two rows travel in one float64 exactly as
 * low + high * 2^26 (magnitude below 2^51): specialised code multiplies h by
 * two rows at once, half the multiply-adds. The rounding moves h by at most
 * 2^-(bits+1) (3e-5 for LSTM(32)), far below the i8 weights' own error.
 */
export function hiddenBits(l: Layer, encoding: Encoding): number {
    if (encoding !== "i8" || l.type === "dense" || (l.type === "gru" && !l.resetAfter)) return 0
    const bounded =
        BOUNDED.includes(l.activation) &&
        (l.type === "rnn" || (l.type === "lstm" ? BOUNDED : UNIT_GATES).includes(l.recurrentActivation))
    if (!bounded) return 0
    const p = packMatrix(l.Wh, "i8")
    let largest = 0
    for (let r = 0; r < p.rows; r++) {
        let sum = 0
        for (let k = 0; k < p.cols; k++) sum += Math.abs((p.data[r * p.cols + k] << 24) >> 24)
        largest = Math.max(largest, sum)
    }
    const bits = PACK_SHIFT - 1 - Math.ceil(Math.log2(largest + 1))
    return bits >= MIN_HIDDEN_BITS ? bits : 0
}

function quantizeLayer(layer: Layer, li: number, encoding: Encoding): Layer {
    const mat = (m: Matrix, field: string) =>
        unpackMatrix(packMatrix(m, encoding, `layers[${li}].${field}`))
    const vec = (v: number[], field: string) =>
        unpackVector(packVector(v, `layers[${li}].${field}`))
    if (layer.type === "dense")
        return { ...layer, W: mat(layer.W, "W"), b: vec(layer.b, "b") }
    const quantized = {
        ...layer,
        Wx: mat(layer.Wx, "Wx"),
        Wh: mat(layer.Wh, "Wh"),
        bx: vec(layer.bx, "bx"),
        bh: vec(layer.bh, "bh"),
    }
    const bits = hiddenBits(layer, encoding)
    return bits ? { ...quantized, hiddenBits: bits } : quantized
}

/**
 * The model as the device runs it: weights through pack/unpack, biases rounded
 * to float32 (they are always stored as f32). Normalization constants are left
 * untouched. The input model is not modified.
 */
export function quantizeModel(
    model: CanonicalModel,
    encoding: Encoding
): CanonicalModel {
    return {
        ...structuredClone(model),
        layers: model.layers.map((l, li) => quantizeLayer(l, li, encoding)),
    }
}

export interface TensorError {
    tensor: string
    shape: string
    maxAbs: number
    rms: number
}

/** The weight error quantization adds, per tensor (biases stay f32). */
export function quantizationReport(model: CanonicalModel, encoding: Encoding): TensorError[] {
    return model.layers.flatMap((l, i) => {
        const tensors = l.type === "dense" ? { W: l.W } : { Wx: l.Wx, Wh: l.Wh }
        return Object.entries(tensors).map(([name, m]) => {
            const tensor = `layers[${i}].${name}`
            const err = quantizationError(m, packMatrix(m, encoding, tensor))
            return { tensor, shape: `${m.length}x${m[0].length}`, ...err }
        })
    })
}
