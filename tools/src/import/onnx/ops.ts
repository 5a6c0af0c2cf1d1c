/**
 * What each supported ONNX op does to the importer's values: constants are
 * folded, the data stream gets new axes or layers. Ops not listed here are
 * unsupported.
 */

import { UnsupportedError, UserError } from "../../core/errors.ts"
import { type Attributes, decodeTensor } from "./file.ts"
import { activate, affine, gemm, matMul } from "./head.ts"
import { type RecurrentOp, recurrentNode } from "./recurrent.ts"
import {
    concatStreams,
    featureLast,
    stackGather,
    stackSlice,
    stackUnsupported,
    streamFlatten,
    streamGather,
    streamReshape,
    streamShape,
    streamSlice,
    streamSqueeze,
    streamTranspose,
    streamUnsqueeze,
} from "./stream.ts"
import {
    type BinaryOp,
    type Const,
    type Dim,
    type Opaque,
    type SliceRange,
    type Stream,
    type Value,
    binary,
    cast,
    concat,
    expand,
    gather,
    known,
    knownInput,
    normAxis,
    numbers,
    productDim,
    reshape,
    slice,
    squeeze,
    transpose,
    unsqueeze,
} from "./values.ts"

interface OpContext {
    attrs: Attributes
    opset: number
    label: string
}

type Inputs = (Value | undefined)[]
type Op = (inputs: Inputs, ctx: OpContext) => Value[]

/** Any input but an opaque one, which no op can use. */
function data(v: Value | undefined): Exclude<Value, Opaque> {
    if (!v) throw new UserError("a required input is missing")
    if (v.kind === "opaque")
        throw new UnsupportedError(`the input depends on ${v.why}`)
    return v
}

function ints(v: Value | undefined, what: string): number[] {
    return numbers(knownInput(v, what), what)
}

/** A shape operand: a 1-D constant whose entries may be symbolic sizes. */
function shapeOperand(v: Value | undefined, what: string): Dim[] {
    const k = knownInput(v, what)
    if (k.dims.length !== 1)
        throw new UserError(`${what} has rank ${k.dims.length}, expected 1`)
    return k.data
}

/** Axes of Squeeze / Unsqueeze: an attribute before opset 13, an input since. */
function axesOperand(inputs: Inputs, ctx: OpContext): number[] | undefined {
    if (ctx.opset >= 13) return inputs[1] ? ints(inputs[1], "axes") : undefined
    return ctx.attrs.ints("axes")
}

function sliceRanges(
    inputs: Inputs,
    ctx: OpContext,
    rank: number
): Map<number, SliceRange> {
    const [starts, ends, axes, steps] =
        ctx.opset >= 10
            ? [
                  ints(inputs[1], "starts"),
                  ints(inputs[2], "ends"),
                  inputs[3] && ints(inputs[3], "axes"),
                  inputs[4] && ints(inputs[4], "steps"),
              ]
            : [
                  ctx.attrs.ints("starts") ?? [],
                  ctx.attrs.ints("ends") ?? [],
                  ctx.attrs.ints("axes"),
                  undefined,
              ]
    if (
        ends.length !== starts.length ||
        (axes && axes.length !== starts.length) ||
        (steps && steps.length !== starts.length)
    )
        throw new UserError(
            "Slice starts, ends, axes and steps differ in length"
        )
    const ranges = new Map<number, SliceRange>()
    starts.forEach((start, i) =>
        ranges.set(normAxis(axes ? axes[i] : i, rank), {
            start,
            end: ends[i],
            step: steps ? steps[i] : 1,
        })
    )
    return ranges
}

const rankOf = (v: Exclude<Value, Opaque>) =>
    v.kind === "stream"
        ? v.axes.length
        : v.kind === "stack"
          ? v.parts[0].axes.length
          : v.dims.length

/** Dispatches on the kind of the first input: constant, data stream, or stack of streams. */
function byKind(
    name: string,
    onConst: (c: Const, inputs: Inputs, ctx: OpContext) => Value,
    onStream: (s: Stream, inputs: Inputs, ctx: OpContext) => Value
): Op {
    return (inputs, ctx) => {
        const v = data(inputs[0])
        if (v.kind === "stream") return [onStream(v, inputs, ctx)]
        if (v.kind === "stack") return stackUnsupported(name)
        return [onConst(v, inputs, ctx)]
    }
}

function elementwise(op: BinaryOp): Op {
    return inputs => {
        const [a, b] = [data(inputs[0]), data(inputs[1])]
        if (a.kind === "stream" && b.kind === "stream")
            throw new UnsupportedError(
                `${op} of two data paths (residual connections)`
            )
        if (a.kind === "stack" || b.kind === "stack")
            return stackUnsupported(op)
        if (a.kind === "stream")
            return [affine(a, op, knownInput(b, "the constant operand"), false)]
        if (b.kind === "stream")
            return [affine(b, op, knownInput(a, "the constant operand"), true)]
        return [binary(op, a, b)]
    }
}

function activation(name: "relu" | "tanh" | "sigmoid"): Op {
    return inputs => {
        const s = data(inputs[0])
        if (s.kind !== "stream")
            throw new UnsupportedError(
                "an activation that is not on the data path"
            )
        return [activate(s, name)]
    }
}

function streamOnly(v: Value | undefined, what: string): Stream {
    const s = data(v)
    if (s.kind !== "stream")
        throw new UnsupportedError(`${what} that is not on the data path`)
    return s
}

function recurrent(op: RecurrentOp): Op {
    return (inputs, ctx) => recurrentNode(op, inputs, ctx.attrs, ctx.label)
}

const ONNX_FLOAT = 1
const ONNX_DOUBLE = 11

export const OPS: Record<string, Op> = {
    Identity: inputs => [data(inputs[0])],

    Constant: (_, { attrs }) => {
        const t = attrs.tensor("value")
        if (t) return [decodeTensor(t, "Constant value")]
        if (attrs.has("value_float"))
            return [known([], [attrs.float("value_float", 0)], false)]
        if (attrs.has("value_floats"))
            return [
                known(
                    [attrs.floats("value_floats")!.length],
                    attrs.floats("value_floats")!,
                    false
                ),
            ]
        if (attrs.has("value_int"))
            return [known([], [attrs.int("value_int", 0)], true)]
        if (attrs.has("value_ints"))
            return [
                known(
                    [attrs.ints("value_ints")!.length],
                    attrs.ints("value_ints")!,
                    true
                ),
            ]
        throw new UnsupportedError(
            "a Constant that is not a dense numeric tensor"
        )
    },

    Shape: (inputs, { attrs }) => {
        const v = data(inputs[0])
        if (v.kind === "stack") return stackUnsupported("Shape")
        const all =
            v.kind === "stream"
                ? streamShape(v)
                : known([v.dims.length], v.dims, true)
        const rank = all.data.length
        const clamp = (i: number) =>
            Math.min(Math.max(i < 0 ? i + rank : i, 0), rank)
        const picked = all.data.slice(
            clamp(attrs.int("start", 0)),
            clamp(attrs.int("end", rank))
        )
        return [known([picked.length], picked, true)]
    },

    Gather: (inputs, { attrs }) => {
        const v = data(inputs[0])
        const indices = knownInput(inputs[1], "indices")
        const axis = attrs.int("axis", 0)
        if (v.kind === "stream") return [streamGather(v, axis, indices)]
        if (v.kind === "stack") return [stackGather(v, axis, indices)]
        return [gather(v, axis, indices)]
    },

    Slice: (inputs, ctx) => {
        const v = data(inputs[0])
        const ranges = sliceRanges(inputs, ctx, rankOf(v))
        if (v.kind === "stream") return [streamSlice(v, ranges)]
        if (v.kind === "stack") return [stackSlice(v, ranges)]
        return [slice(v, ranges)]
    },

    Concat: (inputs, { attrs }) => {
        const vs = inputs.map(data)
        const axis = attrs.int("axis", 0)
        if (vs.every(v => v.kind === "known" || v.kind === "fill"))
            return [concat(vs as Const[], axis)]
        const parts = vs.flatMap(v => {
            if (v.kind === "stream") return [v]
            if (v.kind === "stack") return v.parts
            throw new UnsupportedError("Concat of the data with constants")
        })
        return [concatStreams(parts, axis)]
    },

    Unsqueeze: byKind(
        "Unsqueeze",
        (c, inputs, ctx) => unsqueeze(c, axesOperand(inputs, ctx) ?? []),
        (s, inputs, ctx) => streamUnsqueeze(s, axesOperand(inputs, ctx) ?? [])
    ),

    Squeeze: byKind(
        "Squeeze",
        (c, inputs, ctx) => squeeze(c, axesOperand(inputs, ctx)),
        (s, inputs, ctx) => streamSqueeze(s, axesOperand(inputs, ctx))
    ),

    Reshape: byKind(
        "Reshape",
        (c, inputs, { attrs }) =>
            reshape(
                c,
                shapeOperand(inputs[1], "shape"),
                attrs.int("allowzero", 0) !== 0
            ),
        (s, inputs, { attrs }) =>
            streamReshape(
                s,
                shapeOperand(inputs[1], "shape"),
                attrs.int("allowzero", 0) !== 0
            )
    ),

    Flatten: byKind(
        "Flatten",
        (c, _, { attrs }) => {
            const a = attrs.int("axis", 1)
            const at = a < 0 ? a + c.dims.length : a
            return reshape(
                c,
                [productDim(c.dims.slice(0, at)), productDim(c.dims.slice(at))],
                false
            )
        },
        (s, _, { attrs }) => streamFlatten(s, attrs.int("axis", 1))
    ),

    Transpose: byKind(
        "Transpose",
        (c, _, { attrs }) => transpose(c, attrs.ints("perm")),
        (s, _, { attrs }) => streamTranspose(s, attrs.ints("perm"))
    ),

    Cast: byKind(
        "Cast",
        (c, _, { attrs }) => cast(c, attrs.int("to", 0)),
        (s, _, { attrs }) => {
            const to = attrs.int("to", 0)
            if (to !== ONNX_FLOAT && to !== ONNX_DOUBLE)
                throw new UnsupportedError(
                    `Cast of the data to data type ${to}`
                )
            return s
        }
    ),

    ConstantOfShape: (inputs, { attrs }) => {
        const dims = shapeOperand(inputs[0], "shape")
        const t = attrs.tensor("value")
        const value = t
            ? decodeTensor(t, "ConstantOfShape value")
            : known([1], [0], false)
        if (value.data.length !== 1)
            throw new UserError("ConstantOfShape value must hold one number")
        return [expand(known([], value.data, value.int), dims)]
    },

    Expand: inputs => {
        const v = data(inputs[0])
        if (v.kind !== "known" && v.kind !== "fill")
            throw new UnsupportedError("Expand of the data")
        return [expand(v, shapeOperand(inputs[1], "shape"))]
    },

    Add: elementwise("Add"),
    Sub: elementwise("Sub"),
    Mul: elementwise("Mul"),
    Div: elementwise("Div"),

    MatMul: inputs => [
        matMul(
            streamOnly(inputs[0], "MatMul"),
            knownInput(inputs[1], "the MatMul weight")
        ),
    ],

    Gemm: (inputs, { attrs }) => {
        if (attrs.int("transA", 0) !== 0)
            throw new UnsupportedError("Gemm with transA=1")
        const C = inputs[2]
            ? knownInput(inputs[2], "the Gemm bias C")
            : undefined
        const B = knownInput(inputs[1], "the Gemm weight")
        return [
            gemm(
                streamOnly(inputs[0], "Gemm"),
                B,
                C,
                attrs.float("alpha", 1),
                attrs.float("beta", 1),
                attrs.int("transB", 0) !== 0
            ),
        ]
    },

    Relu: activation("relu"),
    Tanh: activation("tanh"),
    Sigmoid: activation("sigmoid"),

    HardSigmoid: (inputs, { attrs }) => {
        const [alpha, beta] = [
            attrs.float("alpha", 0.2),
            attrs.float("beta", 0.5),
        ]
        if (Math.abs(alpha - 0.2) > 1e-6 || Math.abs(beta - 0.5) > 1e-6)
            throw new UnsupportedError(
                `HardSigmoid with alpha ${alpha}, beta ${beta} (only 0.2, 0.5)`
            )
        return [activate(streamOnly(inputs[0], "HardSigmoid"), "hard_sigmoid")]
    },

    Softmax: (inputs, { attrs, opset }) => {
        const s = streamOnly(inputs[0], "Softmax")
        const last = featureLast(s, "Softmax")
        if (
            normAxis(attrs.int("axis", opset >= 13 ? -1 : 1), s.axes.length) !==
            last
        )
            throw new UnsupportedError(
                "Softmax over an axis other than the features"
            )
        return [activate(s, "softmax")]
    },

    RNN: recurrent("RNN"),
    LSTM: recurrent("LSTM"),
    GRU: recurrent("GRU"),
}
