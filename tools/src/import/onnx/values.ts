/**
 * The values the ONNX importer tracks through a graph, and constant folding
 * of the shape glue PyTorch exports around recurrent layers. A dimension may
 * be symbolic (the batch or sequence length of the graph input), so shapes
 * computed with Shape / Gather / Concat stay exact without knowing those
 * lengths, and a zero initial state built with ConstantOfShape stays a
 * recognisable "all zeros".
 */

import type { Layer } from "../../model/canonical.ts"
import { UnsupportedError, UserError, quote } from "../../core/errors.ts"

/** A size or shape entry: a number, or a name standing for a size known only at run time. */
export type Dim = number | string

/** A tensor whose entries are known at import time: weights, shapes, indices. */
export interface Known {
    kind: "known"
    dims: number[]
    data: Dim[]
    int: boolean
}

/** A tensor filled with one value whose shape may be symbolic (PyTorch's zero initial states). */
export interface Fill {
    kind: "fill"
    dims: Dim[]
    value: Dim
    int: boolean
}

export type Role = "time" | "batch" | "feature" | "other" | "input"

/**
 * One axis of the data path. "input" is an axis of the graph input that the
 * first recurrent node has not yet identified as time or batch.
 */
export interface Axis {
    role: Role
    size: Dim
}

/** The data path: for every time step and batch entry, `width` features computed from an input row by `layers`. */
export interface Stream {
    kind: "stream"
    axes: Axis[]
    layers: Layer[]
    width: number
}

/** Streams concatenated along a size-1 axis, like h_n of a stacked PyTorch RNN; only picking one back out is supported. */
export interface Stack {
    kind: "stack"
    axis: number
    parts: Stream[]
}

/** A value the importer cannot follow (LSTM's Y_c, a second graph input); `why` says what it is. */
export interface Opaque {
    kind: "opaque"
    why: string
}

export type Value = Known | Fill | Stream | Stack | Opaque
export type Const = Known | Fill

let symbols = 0

/** A new symbol for a size that depends on run-time sizes in a way not worth tracking. */
export function freshDim(): string {
    return `?${++symbols}`
}

export function known(dims: number[], data: Dim[], int: boolean): Known {
    return { kind: "known", dims, data, int }
}

export function count(dims: number[]): number {
    return dims.reduce((a, b) => a * b, 1)
}

export function normAxis(axis: number, rank: number): number {
    const a = axis < 0 ? axis + rank : axis
    if (!Number.isInteger(a) || a < 0 || a >= rank)
        throw new UserError(`axis ${axis} is out of range for rank ${rank}`)
    return a
}

export function numeric(d: Dim, what: string): number {
    if (typeof d !== "number")
        throw new UnsupportedError(
            `${what} depends on the run-time shape of the input`
        )
    return d
}

export function numbers(v: Known, what: string): number[] {
    return v.data.map(d => numeric(d, what))
}

/** Keeps a corrupt shape from allocating gigabytes. */
const MAX_CONSTANT = 1 << 24

/** A Fill becomes an ordinary tensor once all its dims are numbers. */
function materialize(v: Const): Const {
    if (v.kind === "known" || !v.dims.every(d => typeof d === "number"))
        return v
    const dims = v.dims as number[]
    if (count(dims) > MAX_CONSTANT)
        throw new UserError(`constant of shape ${quote(dims)} is too large`)
    return known(dims, new Array(count(dims)).fill(v.value), v.int)
}

function strides(dims: number[]): number[] {
    const s = new Array<number>(dims.length)
    let acc = 1
    for (let a = dims.length - 1; a >= 0; a--) {
        s[a] = acc
        acc *= dims[a]
    }
    return s
}

/** Output dims plus, for each output index, the input index it copies: every data-moving op is one of these. */
function reindex(
    v: Const,
    dims: Dim[],
    source: (out: number[]) => number[]
): Const {
    if (v.kind === "fill") return materialize({ ...v, dims })
    const outDims = dims.map(d => numeric(d, "shape"))
    if (count(outDims) > MAX_CONSTANT)
        throw new UserError(`constant of shape ${quote(outDims)} is too large`)
    const inStrides = strides(v.dims)
    const data: Dim[] = []
    const idx = new Array<number>(outDims.length).fill(0)
    for (let k = count(outDims); k > 0; k--) {
        const src = source(idx)
        data.push(v.data[src.reduce((off, i, a) => off + i * inStrides[a], 0)])
        for (let a = outDims.length - 1; a >= 0; a--) {
            if (++idx[a] < outDims[a]) break
            idx[a] = 0
        }
    }
    return known(outDims, data, v.int)
}

export function transposeDims<T>(items: T[], perm: number[] | undefined): T[] {
    const p = perm ?? items.map((_, i) => items.length - 1 - i)
    if (
        p.length !== items.length ||
        [...p].sort((a, b) => a - b).some((x, i) => x !== i)
    )
        throw new UserError(
            `perm ${quote(p)} is not a permutation of ${items.length} axes`
        )
    return p.map(i => items[i])
}

export function transpose(v: Const, perm: number[] | undefined): Const {
    const p = perm ?? v.dims.map((_, i) => v.dims.length - 1 - i)
    const dims = transposeDims(v.dims, p)
    return reindex(v, dims, out => {
        const src = new Array<number>(out.length)
        p.forEach((from, a) => (src[from] = out[a]))
        return src
    })
}

export function gather(v: Const, axis: number, indices: Known): Const {
    const a = normAxis(axis, v.dims.length)
    const dims = [
        ...v.dims.slice(0, a),
        ...indices.dims,
        ...v.dims.slice(a + 1),
    ]
    if (v.kind === "fill") return materialize({ ...v, dims })
    const size = v.dims[a]
    const picks = numbers(indices, "a Gather index").map(i => {
        const j = i < 0 ? i + size : i
        if (!Number.isInteger(j) || j < 0 || j >= size)
            throw new UserError(
                `Gather index ${i} is out of range for size ${size}`
            )
        return j
    })
    const inner = indices.dims.length
    const idxStrides = strides(indices.dims)
    return reindex(v, dims, out => {
        const flat = out
            .slice(a, a + inner)
            .reduce((off, i, k) => off + i * idxStrides[k], 0)
        return [...out.slice(0, a), picks[flat], ...out.slice(a + inner)]
    })
}

/** Beyond this an end means "to the end": PyTorch writes INT64_MAX. */
const HUGE = 2 ** 31 - 1

export interface SliceRange {
    start: number
    end: number
    step: number
}

/** Clamps a slice on an axis of numeric size as ONNX does; returns the first index, step and element count. */
export function resolveSlice(
    size: number,
    r: SliceRange
): { first: number; step: number; length: number } {
    if (r.step === 0 || !Number.isInteger(r.step))
        throw new UserError(`Slice step ${r.step} is invalid`)
    const clamp = (x: number, lo: number, hi: number) =>
        Math.min(Math.max(x, lo), hi)
    const norm = (x: number) => (x < 0 ? x + size : x)
    const [first, end] =
        r.step > 0
            ? [clamp(norm(r.start), 0, size), clamp(norm(r.end), 0, size)]
            : [
                  clamp(norm(r.start), -1, size - 1),
                  clamp(norm(r.end), -1, size - 1),
              ]
    const length = Math.max(0, Math.ceil((end - first) / r.step))
    return { first, step: r.step, length }
}

/** The size a slice leaves of an axis, symbolic if the axis is and the slice is not the whole axis. */
export function slicedSize(size: Dim, r: SliceRange): Dim {
    if (typeof size === "number") return resolveSlice(size, r).length
    return r.start === 0 && r.end >= HUGE && r.step === 1 ? size : freshDim()
}

export function isWholeAxis(size: Dim, r: SliceRange): boolean {
    if (typeof size === "number") {
        const s = resolveSlice(size, r)
        return s.first === 0 && s.step === 1 && s.length === size
    }
    return slicedSize(size, r) === size
}

/** True if the slice is exactly the last element of the axis. */
export function isLastElement(size: Dim, r: SliceRange): boolean {
    if (typeof size === "number") {
        const s = resolveSlice(size, r)
        return s.length === 1 && s.first === size - 1
    }
    return r.start === -1 && r.step === 1 && r.end >= HUGE
}

export function slice(v: Const, ranges: Map<number, SliceRange>): Const {
    const dims = v.dims.map((d, a) =>
        ranges.has(a) ? slicedSize(d, ranges.get(a)!) : d
    )
    if (v.kind === "fill") return materialize({ ...v, dims })
    const resolved = v.dims.map((d, a) =>
        resolveSlice(d, ranges.get(a) ?? { start: 0, end: HUGE, step: 1 })
    )
    return reindex(v, dims, out =>
        out.map((i, a) => resolved[a].first + i * resolved[a].step)
    )
}

export function concat(vs: Const[], axis: number): Const {
    if (vs.length === 0) throw new UserError("Concat has no inputs")
    const rank = vs[0].dims.length
    const a = normAxis(axis, rank)
    if (vs.some(v => v.dims.length !== rank))
        throw new UserError("Concat inputs have different ranks")
    const first = vs[0]
    if (
        first.kind === "fill" &&
        vs.every(v => v.kind === "fill" && v.value === first.value)
    ) {
        const sizes = vs.map(v => v.dims[a])
        const total = sizes.every(s => typeof s === "number")
            ? (sizes as number[]).reduce((x, y) => x + y, 0)
            : freshDim()
        return materialize({
            ...first,
            dims: first.dims.map((d, i) => (i === a ? total : d)),
        })
    }
    const ks = vs.map(v => {
        const m = materialize(v)
        if (m.kind !== "known")
            throw new UnsupportedError(
                "Concat of a run-time-shaped constant with other values"
            )
        return m
    })
    const outer = count(ks[0].dims.slice(0, a))
    const data: Dim[] = []
    for (let o = 0; o < outer; o++)
        for (const k of ks) {
            const block = count(k.dims.slice(a))
            data.push(...k.data.slice(o * block, (o + 1) * block))
        }
    const dims = ks[0].dims.map((d, i) =>
        i === a ? ks.reduce((s, k) => s + k.dims[a], 0) : d
    )
    return known(
        dims,
        data,
        ks.every(k => k.int)
    )
}

export function unsqueezeDims<T>(items: T[], axes: number[], one: T): T[] {
    const rank = items.length + axes.length
    const at = new Set(axes.map(x => normAxis(x, rank)))
    if (at.size !== axes.length)
        throw new UserError(`Unsqueeze axes ${quote(axes)} repeat an axis`)
    const out: T[] = []
    let next = 0
    for (let i = 0; i < rank; i++) out.push(at.has(i) ? one : items[next++])
    return out
}

export function unsqueeze(v: Const, axes: number[]): Const {
    const dims = unsqueezeDims(v.dims as Dim[], axes, 1)
    return { ...v, dims } as Const
}

/** Axes Squeeze removes: the listed ones, or without a list every axis of size 1. */
export function squeezeAxes(
    dims: Dim[],
    axes: number[] | undefined
): Set<number> {
    if (!axes) return new Set(dims.flatMap((d, i) => (d === 1 ? [i] : [])))
    const at = new Set(axes.map(x => normAxis(x, dims.length)))
    for (const a of at) {
        if (typeof dims[a] !== "number")
            throw new UnsupportedError(
                `Squeeze of axis ${a}, whose size is only known at run time`
            )
        if (dims[a] !== 1)
            throw new UserError(
                `Squeeze of axis ${a}, which has size ${dims[a]}`
            )
    }
    return at
}

export function squeeze(v: Const, axes: number[] | undefined): Const {
    const at = squeezeAxes(v.dims, axes)
    return { ...v, dims: v.dims.filter((_, i) => !at.has(i)) } as Const
}

/** A product of dims kept as a number times a multiset of symbols, so -1 in a Reshape can be solved symbolically. */
interface Product {
    n: number
    syms: string[]
}

function product(dims: Dim[]): Product {
    const p: Product = { n: 1, syms: [] }
    for (const d of dims) typeof d === "number" ? (p.n *= d) : p.syms.push(d)
    return p
}

function divide(total: Product, part: Product): Dim {
    const rest = [...total.syms]
    for (const s of part.syms) {
        const i = rest.indexOf(s)
        if (i < 0) return freshDim()
        rest.splice(i, 1)
    }
    if (part.n === 0 || total.n % part.n !== 0) {
        if (total.syms.length === 0)
            throw new UserError(
                `cannot split ${total.n} values into parts of ${part.n}`
            )
        return freshDim()
    }
    const n = total.n / part.n
    if (rest.length === 0) return n
    return rest.length === 1 && n === 1 ? rest[0] : freshDim()
}

export function productDim(dims: Dim[]): Dim {
    return divide(product(dims), { n: 1, syms: [] })
}

/** Resolves a Reshape target: 0 copies the input dim (unless allowzero), one -1 takes what is left. */
export function reshapeDims(
    input: Dim[],
    shape: Dim[],
    allowzero: boolean
): Dim[] {
    const out = shape.map((d, i) => {
        if (d !== 0 || allowzero) return d
        if (i >= input.length)
            throw new UserError(
                `Reshape copies dim ${i}, but the input has rank ${input.length}`
            )
        return input[i]
    })
    const wild = out.flatMap((d, i) => (d === -1 ? [i] : []))
    if (wild.length > 1) throw new UserError("Reshape has more than one -1")
    if (
        out.some(d => typeof d === "number" && (d < -1 || !Number.isInteger(d)))
    )
        throw new UserError(`Reshape target ${quote(shape)} is invalid`)
    if (wild.length === 1)
        out[wild[0]] = divide(
            product(input),
            product(out.filter((_, i) => i !== wild[0]))
        )
    const [a, b] = [product(input), product(out)]
    if (a.syms.length === 0 && b.syms.length === 0 && a.n !== b.n)
        throw new UserError(
            `Reshape of ${quote(input)} (${a.n} values) to ${quote(out)} (${b.n} values)`
        )
    return out
}

export function reshape(v: Const, shape: Dim[], allowzero: boolean): Const {
    const dims = reshapeDims(v.dims, shape, allowzero)
    if (v.kind === "fill") return materialize({ ...v, dims })
    return known(
        dims.map(d => numeric(d, "Reshape target")),
        v.data,
        v.int
    )
}

function broadcastDims(a: Dim[], b: Dim[]): Dim[] {
    const rank = Math.max(a.length, b.length)
    const pa = [...new Array(rank - a.length).fill(1), ...a]
    const pb = [...new Array(rank - b.length).fill(1), ...b]
    return pa.map((x, i) => {
        const y = pb[i]
        if (x === 1) return y
        if (y === 1 || x === y) return x
        if (typeof x === "number" && typeof y === "number")
            throw new UserError(`shapes ${quote(a)} and ${quote(b)} do not broadcast`)
        return typeof x === "number" ? x : y
    })
}

function broadcastTo(v: Const, dims: Dim[]): Const {
    // A single value spread over a run-time shape stays a Fill (e.g. Expand of a scalar zero).
    if (
        v.kind === "known" &&
        v.data.length === 1 &&
        dims.some(d => typeof d !== "number")
    )
        return { kind: "fill", dims, value: v.data[0], int: v.int }
    const lead = dims.length - v.dims.length
    return reindex(v, dims, out =>
        out.slice(lead).map((i, a) => (v.dims[a] === 1 ? 0 : i))
    )
}

export function expand(v: Const, shape: Dim[]): Const {
    return broadcastTo(v, broadcastDims(v.dims, shape))
}

export type BinaryOp = "Add" | "Sub" | "Mul" | "Div"

function apply(op: BinaryOp, x: Dim, y: Dim, int: boolean): Dim {
    if (typeof x !== "number" || typeof y !== "number") return freshDim()
    switch (op) {
        case "Add":
            return x + y
        case "Sub":
            return x - y
        case "Mul":
            return x * y
        case "Div":
            if (int && y === 0) throw new UserError("integer division by zero")
            return int ? Math.trunc(x / y) : x / y
    }
}

export function binary(op: BinaryOp, a: Const, b: Const): Const {
    const dims = broadcastDims(a.dims, b.dims)
    const int = a.int && b.int
    const [x, y] = [broadcastTo(a, dims), broadcastTo(b, dims)]
    if (x.kind === "fill" && y.kind === "fill")
        return materialize({
            kind: "fill",
            dims,
            value: apply(op, x.value, y.value, int),
            int,
        })
    if (x.kind !== "known" || y.kind !== "known")
        throw new UnsupportedError(
            `${op} on a constant whose shape is only known at run time`
        )
    return known(
        x.dims,
        x.data.map((v, i) => apply(op, v, y.data[i], int)),
        int
    )
}

const CAST_INT = new Set([2, 3, 4, 5, 6, 7, 12, 13])
const CAST_FLOAT = new Set([1, 10, 11, 16])
const CAST_BOOL = 9

export function cast(v: Const, to: number): Const {
    const convert = (d: Dim): Dim => {
        if (typeof d !== "number") return d
        if (CAST_INT.has(to)) return Math.trunc(d)
        if (to === CAST_BOOL) return d !== 0 ? 1 : 0
        return d
    }
    if (!CAST_INT.has(to) && !CAST_FLOAT.has(to) && to !== CAST_BOOL)
        throw new UnsupportedError(`Cast to data type ${to}`)
    const int = !CAST_FLOAT.has(to)
    return v.kind === "fill"
        ? { ...v, value: convert(v.value), int }
        : known(v.dims, v.data.map(convert), int)
}

/** True if every entry is known to be zero. */
export function isZero(v: Const): boolean {
    return v.kind === "fill" ? v.value === 0 : v.data.every(d => d === 0)
}

/** An input that must be known at import time (weights, shapes, axes). */
export function constantInput(v: Value | undefined, what: string): Const {
    if (!v) throw new UserError(`${what} is missing`)
    if (v.kind === "known" || v.kind === "fill") return v
    if (v.kind === "opaque")
        throw new UnsupportedError(`${what} depends on ${v.why}`)
    throw new UnsupportedError(
        `${what} must be a constant, but it is computed from the input data`
    )
}

/** Like constantInput, with every entry present (no run-time shape). */
export function knownInput(v: Value | undefined, what: string): Known {
    const c = materialize(constantInput(v, what))
    if (c.kind !== "known")
        throw new UnsupportedError(`${what} has a shape only known at run time`)
    return c
}
