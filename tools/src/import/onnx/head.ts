/**
 * The layers after the recurrent ones: MatMul / Gemm become Dense layers, and
 * element-wise Add / Sub / Mul / Div by constants and activations fold into
 * the last Dense layer (an identity Dense is added when there is none, e.g. a
 * Relu straight after an LSTM).
 */

import type { Activation, DenseLayer, Matrix } from "../../model/canonical.ts"
import { UnsupportedError, UserError, quote } from "../../core/errors.ts"
import { featureLast, withWidth } from "./stream.ts"
import {
    type BinaryOp,
    type Known,
    type Stream,
    count,
    numbers,
} from "./values.ts"

function dense(W: Matrix, b: number[]): DenseLayer {
    return {
        type: "dense",
        inputSize: W[0]?.length ?? 0,
        units: W.length,
        activation: "linear",
        W,
        b,
    }
}

function identity(n: number): Matrix {
    return Array.from({ length: n }, (_, r) =>
        Array.from({ length: n }, (_, c) => (r === c ? 1 : 0))
    )
}

function appendDense(s: Stream, W: Matrix, b: number[]): Stream {
    return withWidth(s, W.length, [...s.layers, dense(W, b)])
}

/** The stream with its last layer a linear Dense that may be edited: a copy, so other branches sharing the layer are unaffected. */
function linearTail(s: Stream): { stream: Stream; last: DenseLayer } {
    const prev = s.layers[s.layers.length - 1]
    if (prev?.type === "dense" && prev.activation === "linear") {
        const last = {
            ...prev,
            W: prev.W.map(row => row.slice()),
            b: prev.b.slice(),
        }
        return {
            stream: withWidth(s, s.width, [...s.layers.slice(0, -1), last]),
            last,
        }
    }
    const last = dense(identity(s.width), new Array(s.width).fill(0))
    return { stream: withWidth(s, s.width, [...s.layers, last]), last }
}

/** MatMul(data, B) with B [in, out]: one Dense row per output. */
export function matMul(s: Stream, B: Known): Stream {
    featureLast(s, "MatMul")
    if (B.dims.length !== 2)
        throw new UnsupportedError(
            `MatMul with a weight of rank ${B.dims.length} (only [in, out])`
        )
    const [rows, cols] = B.dims
    if (rows !== s.width)
        throw new UserError(
            `MatMul weight has ${rows} rows, but the data has ${s.width} features`
        )
    const data = numbers(B, "a weight")
    const W = Array.from({ length: cols }, (_, o) =>
        Array.from({ length: rows }, (_, i) => data[i * cols + o])
    )
    return appendDense(s, W, new Array(cols).fill(0))
}

/** Gemm: alpha * A B' + beta * C, where B' is B or its transpose. */
export function gemm(
    s: Stream,
    B: Known,
    C: Known | undefined,
    alpha: number,
    beta: number,
    transB: boolean
): Stream {
    featureLast(s, "Gemm")
    if (s.axes.length !== 2)
        throw new UnsupportedError(`Gemm on data of rank ${s.axes.length}`)
    if (B.dims.length !== 2)
        throw new UserError(`Gemm weight has shape ${quote(B.dims)}`)
    const [k, n] = transB ? [B.dims[1], B.dims[0]] : B.dims
    if (k !== s.width)
        throw new UserError(
            `Gemm weight takes ${k} inputs, but the data has ${s.width} features`
        )
    const data = numbers(B, "a weight")
    const W = Array.from({ length: n }, (_, o) =>
        Array.from(
            { length: k },
            (_, i) => alpha * data[transB ? o * k + i : i * n + o]
        )
    )
    const b = C ? perFeature(C, n, 2).map(v => beta * v) : new Array(n).fill(0)
    return appendDense(s, W, b)
}

/** A constant that broadcasts along the features only: one value, or one per feature. */
function perFeature(c: Known, width: number, rank: number): number[] {
    const values = numbers(c, "a bias")
    const perRow = c.dims.length <= rank && count(c.dims.slice(0, -1)) === 1
    if (perRow && values.length === 1) return new Array(width).fill(values[0])
    if (perRow && c.dims[c.dims.length - 1] === width) return values
    throw new UnsupportedError(
        `a constant of shape ${quote(c.dims)} that does not act per feature`
    )
}

/** data op c, or c op data when `constFirst`. */
export function affine(
    s: Stream,
    op: BinaryOp,
    c: Known,
    constFirst: boolean
): Stream {
    if (s.axes.some(a => a.role === "feature")) featureLast(s, op)
    const v = perFeature(c, s.width, s.axes.length)
    const { stream, last } = linearTail(s)
    const scale = (f: (j: number) => number) => {
        last.W.forEach((row, j) => row.forEach((w, i) => (row[i] = w * f(j))))
        last.b.forEach((b, j) => (last.b[j] = b * f(j)))
    }
    switch (op) {
        case "Add":
            last.b.forEach((b, j) => (last.b[j] = b + v[j]))
            break
        case "Sub":
            if (constFirst) scale(() => -1)
            last.b.forEach(
                (b, j) => (last.b[j] = b + (constFirst ? v[j] : -v[j]))
            )
            break
        case "Mul":
            scale(j => v[j])
            break
        case "Div":
            if (constFirst)
                throw new UnsupportedError("Div of a constant by the data")
            if (v.some(x => x === 0)) throw new UserError("Div by zero")
            scale(j => 1 / v[j])
            break
    }
    return stream
}

export function activate(s: Stream, activation: Activation): Stream {
    if (s.axes.some(a => a.role === "feature")) featureLast(s, activation)
    const { stream, last } = linearTail(s)
    last.activation = activation
    return stream
}
