/**
 * ONNX RNN / LSTM / GRU nodes as canonical layers. ONNX packs the gate blocks
 * of W, R and B as LSTM [i, o, f, c] and GRU [z, r, h], and B as [Wb, Rb];
 * the canonical order is LSTM [i, f, c, o], GRU [z, r, n] (ONNX's h is the
 * candidate n). PyTorch's own
 * orders ([i, f, g, o], [r, z, n]) never reach the file: torch.onnx.export
 * has already reordered the weights.
 */

import type { Activation, Layer, Matrix } from "../../model/canonical.ts"
import { UnsupportedError, UserError, clip, quote } from "../../core/errors.ts"
import type { Attributes } from "./file.ts"
import { featureLast } from "./stream.ts"
import {
    type Axis,
    type Known,
    type Stream,
    type Value,
    constantInput,
    isZero,
    knownInput,
    numbers,
} from "./values.ts"

export type RecurrentOp = "RNN" | "LSTM" | "GRU"

/** For each canonical gate block, the ONNX block it is read from. */
const ONNX_BLOCKS: Record<RecurrentOp, number[]> = {
    RNN: [0],
    LSTM: [0, 2, 3, 1],
    GRU: [0, 1, 2],
}

const DEFAULT_ACTIVATIONS: Record<RecurrentOp, string[]> = {
    RNN: ["Tanh"],
    LSTM: ["Sigmoid", "Tanh", "Tanh"],
    GRU: ["Sigmoid", "Tanh"],
}

/** float32 rounding of 0.2 / 0.5 must still count as the hard_sigmoid the device has. */
const closeTo = (x: number, y: number) => Math.abs(x - y) < 1e-6

/** activation_alpha / activation_beta are consumed in order by the activations that take them, as ONNX Runtime does. */
function activations(op: RecurrentOp, attrs: Attributes): Activation[] {
    const names = attrs.strings("activations") ?? DEFAULT_ACTIVATIONS[op]
    if (names.length !== DEFAULT_ACTIVATIONS[op].length)
        throw new UserError(
            `a forward ${op} takes ${DEFAULT_ACTIVATIONS[op].length} activations, the node lists ${names.length}`
        )
    const alphas = [...(attrs.floats("activation_alpha") ?? [])]
    const betas = [...(attrs.floats("activation_beta") ?? [])]
    return names.map(name => {
        switch (name.toLowerCase()) {
            case "sigmoid":
                return "sigmoid"
            case "tanh":
                return "tanh"
            case "relu":
                return "relu"
            case "hardsigmoid": {
                const alpha = alphas.shift() ?? 0.2
                const beta = betas.shift() ?? 0.5
                if (closeTo(alpha, 0.2) && closeTo(beta, 0.5))
                    return "hard_sigmoid"
                throw new UnsupportedError(
                    `activation HardSigmoid with alpha ${alpha}, beta ${beta} (only 0.2, 0.5)`
                )
            }
            default:
                throw new UnsupportedError(
                    `activation '${clip(name)}' (supported: Sigmoid, Tanh, Relu, HardSigmoid)`
                )
        }
    })
}

/** Rows of a [1, rows, cols] weight tensor, gate blocks reordered to canonical order. */
function gateRows(
    t: Known,
    blocks: number[],
    units: number,
    cols: number
): Matrix {
    const data = numbers(t, "a weight")
    return blocks.flatMap(b =>
        Array.from({ length: units }, (_, r) =>
            data.slice((b * units + r) * cols, (b * units + r + 1) * cols)
        )
    )
}

function checkDims(t: Known, expected: number[], what: string): void {
    if (
        t.dims.length !== expected.length ||
        t.dims.some((d, i) => d !== expected[i])
    )
        throw new UserError(
            `${what} has shape ${quote(t.dims)}, expected ${quote(expected)}`
        )
}

/** The device starts every layer from zeros, so only absent or all-zero initial states import. */
function checkZeroState(v: Value | undefined, what: string): void {
    if (!v) return
    if (v.kind === "stream" || v.kind === "stack" || v.kind === "opaque")
        throw new UnsupportedError(
            `${what} is not a constant; the device always starts from a zero state`
        )
    if (!isZero(constantInput(v, what)))
        throw new UnsupportedError(
            `${what} is not all zeros; the device always starts from a zero state`
        )
}

function roleCheck(ax: Axis, roles: string[], what: string): void {
    if (!roles.includes(ax.role))
        throw new UnsupportedError(
            `input X must be [time, batch, features]; its ${what} axis is not`
        )
}

/** Maps one recurrent node to a layer on top of its input stream; returns its outputs [Y, Y_h, (Y_c)]. */
export function recurrentNode(
    op: RecurrentOp,
    inputs: (Value | undefined)[],
    attrs: Attributes,
    label: string
): Value[] {
    const direction = attrs.string("direction", "forward")
    if (direction !== "forward")
        throw new UnsupportedError(
            `direction '${clip(direction)}' (only forward layers can stream)`
        )
    if (attrs.has("clip")) throw new UnsupportedError("the clip attribute")
    if (op === "LSTM" && attrs.int("input_forget", 0) !== 0)
        throw new UnsupportedError(
            "input_forget=1 (coupled input and forget gates)"
        )
    if (attrs.int("layout", 0) !== 0)
        throw new UnsupportedError("layout=1 (batch-major X and Y)")

    const x = inputs[0]
    if (x?.kind !== "stream")
        throw new UnsupportedError("input X does not come from the graph input")
    featureLast(x, op)
    if (x.axes.length !== 3)
        throw new UnsupportedError(
            `input X has rank ${x.axes.length}, expected 3`
        )
    const [timeAxis, batchAxis] = x.axes
    roleCheck(timeAxis, ["time", "input"], "time")
    roleCheck(batchAxis, ["batch", "input", "other"], "batch")

    const gates = ONNX_BLOCKS[op].length
    const W = knownInput(inputs[1], "input W")
    const R = knownInput(inputs[2], "input R")
    if (R.dims.length !== 3)
        throw new UserError(
            `input R has shape ${quote(R.dims)}, expected [1, ${gates} * hidden, hidden]`
        )
    const units = attrs.int("hidden_size", R.dims[2])
    checkDims(W, [1, gates * units, x.width], "input W")
    checkDims(R, [1, gates * units, units], "input R")
    const B = inputs[3] ? knownInput(inputs[3], "input B") : undefined
    if (B) checkDims(B, [1, 2 * gates * units], "input B")

    const seqLens = inputs[4]
        ? constantInput(inputs[4], "input sequence_lens")
        : undefined
    const full = (d: unknown) => d === timeAxis.size
    if (
        seqLens &&
        !(seqLens.kind === "fill"
            ? full(seqLens.value)
            : seqLens.data.every(full))
    )
        throw new UnsupportedError(
            "input sequence_lens shorter than the sequence (only full-length sequences stream)"
        )
    checkZeroState(inputs[5], "input initial_h")
    if (op === "LSTM") {
        checkZeroState(inputs[6], "input initial_c")
        if (inputs[7] && !isZero(constantInput(inputs[7], "input P")))
            throw new UnsupportedError("peephole weights (input P)")
    }

    const blocks = ONNX_BLOCKS[op]
    const bias = B
        ? numbers(B, "a bias")
        : new Array<number>(2 * gates * units).fill(0)
    const biasRows = (offset: number) =>
        blocks.flatMap(b =>
            bias.slice(offset + b * units, offset + (b + 1) * units)
        )
    const common = {
        inputSize: x.width,
        units,
        Wx: gateRows(W, blocks, units, x.width),
        Wh: gateRows(R, blocks, units, units),
        bx: biasRows(0),
        bh: biasRows(gates * units),
    }
    const acts = activations(op, attrs)
    let layer: Layer
    if (op === "RNN") layer = { type: "rnn", activation: acts[0], ...common }
    else if (op === "LSTM") {
        if (acts[1] !== acts[2])
            throw new UnsupportedError(
                `LSTM with different cell (${acts[1]}) and output (${acts[2]}) activations`
            )
        layer = {
            type: "lstm",
            recurrentActivation: acts[0],
            activation: acts[1],
            ...common,
        }
    } else {
        const resetAfter = attrs.int("linear_before_reset", 0) !== 0
        layer = {
            type: "gru",
            recurrentActivation: acts[0],
            activation: acts[1],
            resetAfter,
            ...common,
        }
    }

    const time: Axis = { role: "time", size: timeAxis.size }
    const batch: Axis = { role: "batch", size: batchAxis.size }
    const dir: Axis = { role: "other", size: 1 }
    const feature: Axis = { role: "feature", size: units }
    const out = (axes: Axis[]): Stream => ({
        kind: "stream",
        axes,
        layers: [...x.layers, layer],
        width: units,
    })
    const Y = out([time, dir, batch, feature])
    const Yh = out([dir, batch, feature])
    return [
        Y,
        Yh,
        { kind: "opaque", why: `the cell state Y_c of node '${label}'` },
    ]
}
