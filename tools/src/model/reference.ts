/**
 * Float64 reference implementation of the canonical model: the oracle the
 * firmware and the quantized model are compared against. It is written for
 * obviousness, not speed: one step at a time, plain arrays.
 */

import { deriveInputs, residualInputs } from "./features.ts"
import type {
    Activation,
    CanonicalModel,
    GruLayer,
    Layer,
    LstmLayer,
    Matrix,
    Normalization,
    RnnLayer,
} from "./canonical.ts"

export function applyActivation(name: Activation, v: number[]): number[] {
    switch (name) {
        case "linear":
            return v.slice()
        case "relu":
            return v.map(x => Math.max(0, x))
        case "sigmoid":
            return v.map(x => 1 / (1 + Math.exp(-x)))
        case "hard_sigmoid":
            return v.map(x => Math.max(0, Math.min(1, 0.2 * x + 0.5)))
        case "tanh":
            return v.map(x => Math.tanh(x))
        case "softmax": {
            // Subtracting the max keeps exp() from overflowing on large logits.
            const max = Math.max(...v)
            const e = v.map(x => Math.exp(x - max))
            const sum = e.reduce((a, b) => a + b, 0)
            return e.map(x => x / sum)
        }
        default:
            throw new Error(`unknown activation: ${name satisfies never}`)
    }
}

/** W[rowOffset .. rowOffset+rows) · x + b[same rows] */
function affine(
    W: Matrix,
    b: number[],
    x: number[],
    rowOffset: number,
    rows: number
): number[] {
    const out: number[] = []
    for (let r = rowOffset; r < rowOffset + rows; r++) {
        const row = W[r]
        let acc = b[r]
        for (let k = 0; k < x.length; k++) acc += row[k] * x[k]
        out.push(acc)
    }
    return out
}

/** C's round(), as the device's Math.round: halves go away from zero. */
function roundHalfAway(v: number): number {
    return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5)
}

/** The h that W_h multiplies: on the layer's grid when quantization gave it one. */
function recurrentInput(layer: RnnLayer | LstmLayer | GruLayer, h: number[]): number[] {
    const bits = layer.hiddenBits
    return bits ? h.map(v => roundHalfAway(v * 2 ** bits) / 2 ** bits) : h
}

/** Pre-activation of gate block g: Wx_g x + bx_g + Wh_g h + bh_g. */
function gate(
    layer: RnnLayer | LstmLayer | GruLayer,
    g: number,
    x: number[],
    h: number[]
): number[] {
    const n = layer.units
    const fromX = affine(layer.Wx, layer.bx, x, g * n, n)
    const fromH = affine(layer.Wh, layer.bh, recurrentInput(layer, h), g * n, n)
    return fromX.map((v, j) => v + fromH[j])
}

interface LayerState {
    h: number[]
    c: number[] // LSTM cell state; unused otherwise
}

function stepLayer(layer: Layer, s: LayerState, x: number[]): number[] {
    switch (layer.type) {
        case "dense":
            return applyActivation(
                layer.activation,
                affine(layer.W, layer.b, x, 0, layer.units)
            )
        case "rnn":
            s.h = applyActivation(layer.activation, gate(layer, 0, x, s.h))
            return s.h
        case "lstm": {
            const rec = layer.recurrentActivation
            const i = applyActivation(rec, gate(layer, 0, x, s.h))
            const f = applyActivation(rec, gate(layer, 1, x, s.h))
            const cc = applyActivation(layer.activation, gate(layer, 2, x, s.h))
            const o = applyActivation(rec, gate(layer, 3, x, s.h))
            s.c = s.c.map((c, j) => f[j] * c + i[j] * cc[j])
            const act = applyActivation(layer.activation, s.c)
            s.h = o.map((oj, j) => oj * act[j])
            return s.h
        }
        case "gru": {
            const rec = layer.recurrentActivation
            const n = layer.units
            const z = applyActivation(rec, gate(layer, 0, x, s.h))
            const r = applyActivation(rec, gate(layer, 1, x, s.h))
            const fromX = affine(layer.Wx, layer.bx, x, 2 * n, n)
            // The two conventions differ only in where r meets the recurrent term.
            const fromH = layer.resetAfter
                ? affine(layer.Wh, layer.bh, recurrentInput(layer, s.h), 2 * n, n).map(
                      (v, j) => r[j] * v
                  )
                : affine(
                      layer.Wh,
                      layer.bh,
                      s.h.map((hj, j) => r[j] * hj),
                      2 * n,
                      n
                  )
            const cand = applyActivation(
                layer.activation,
                fromX.map((v, j) => v + fromH[j])
            )
            s.h = s.h.map((hj, j) => z[j] * hj + (1 - z[j]) * cand[j])
            return s.h
        }
    }
}

function normalize(x: number[], n: Normalization): number[] {
    return x.map((v, j) => (v - n.mean[j]) / n.std[j])
}

function denormalize(y: number[], n: Normalization): number[] {
    return y.map((v, j) => v * n.std[j] + n.mean[j])
}

export class ReferenceModel {
    private readonly model: CanonicalModel
    private states: LayerState[] = []

    constructor(model: CanonicalModel) {
        this.model = model
        this.reset()
    }

    reset(): void {
        this.states = this.model.layers.map(l => ({
            h: new Array(l.units).fill(0),
            c: new Array(l.units).fill(0),
        }))
    }

    /**
     * Advances every layer by one time step and returns the model output. `x`
     * is the network's raw input: the readings, then the derived inputs
     * (deriveInputs); run() takes readings alone.
     */
    step(x: number[]): number[] {
        const { model } = this
        if (x.length !== model.inputSize)
            throw new Error(
                `input has ${x.length} values, model expects ${model.inputSize}`
            )
        let v = model.inputNormalization
            ? normalize(x, model.inputNormalization)
            : x
        model.layers.forEach((layer, li) => {
            // Copy so callers cannot alias the internal state.
            v = stepLayer(layer, this.states[li], v).slice()
        })
        const y = model.outputNormalization
            ? denormalize(v, model.outputNormalization)
            : v
        // residual mode: the network gave the change from the reading's current or seasonal naive value
        const base = residualInputs(model)
        return base ? y.map((yj, j) => yj + x[base[j]]) : y
    }

    /**
     * Steps through a series of readings in order, continuing from the current
     * state; the derived inputs start fresh with the series. `times` (UTC ms
     * per row) is needed by calendar inputs.
     */
    run(readings: number[][], times?: number[]): number[][] {
        return deriveInputs(this.model, readings, times).map(x => this.step(x))
    }
}
