/**
 * Every expected value here is written out from the formulas in docs/spec.md and
 * canonical.ts with scalar arithmetic, so the reference is checked against an
 * independent oracle rather than against itself. Weights, biases and inputs
 * are all distinct so that a swapped gate, a transposed matrix or a dropped
 * bias changes the result.
 */

import { describe, expect, it } from "vitest"
import {
    CANONICAL_FORMAT,
    CANONICAL_VERSION,
    type CanonicalModel,
    type GruLayer,
    type Layer,
    type LstmLayer,
} from "../../src/model/canonical.ts"
import { applyActivation, ReferenceModel } from "../../src/model/reference.ts"

const sig = (x: number) => 1 / (1 + Math.exp(-x))
const hardSig = (x: number) => Math.max(0, Math.min(1, 0.2 * x + 0.5))
const tanh = Math.tanh

function model(
    inputSize: number,
    layers: Layer[],
    extra: Partial<CanonicalModel> = {}
): CanonicalModel {
    return {
        format: CANONICAL_FORMAT,
        version: CANONICAL_VERSION,
        inputSize,
        outputSize: layers[layers.length - 1].units,
        layers,
        ...extra,
    }
}

function expectClose(actual: number[][], expected: number[][], digits = 12) {
    expect(actual.length).toBe(expected.length)
    actual.forEach((row, t) => {
        expect(row.length).toBe(expected[t].length)
        row.forEach((v, j) => expect(v).toBeCloseTo(expected[t][j], digits))
    })
}

describe("activations", () => {
    it("hard_sigmoid is 0.2x + 0.5 clipped to [0, 1]", () => {
        expect(
            applyActivation("hard_sigmoid", [-3, -2.5, -1, 0, 1, 2.5, 3])
        ).toEqual([0, 0, 0.5 - 0.2, 0.5, 0.5 + 0.2, 1, 1])
    })

    it("elementwise activations", () => {
        expect(applyActivation("linear", [-2, 3])).toEqual([-2, 3])
        expect(applyActivation("relu", [-2, 0, 3])).toEqual([0, 0, 3])
        expect(applyActivation("sigmoid", [0])).toEqual([0.5])
        expect(applyActivation("sigmoid", [2])[0]).toBeCloseTo(
            1 / (1 + Math.exp(-2)),
            15
        )
        expect(applyActivation("tanh", [0.5])[0]).toBeCloseTo(
            (Math.exp(1) - 1) / (Math.exp(1) + 1),
            15
        )
    })

    it("softmax is stable for large logits", () => {
        const e = Math.E
        expectClose(
            [applyActivation("softmax", [1000, 1001])],
            [[1 / (1 + e), e / (1 + e)]],
            15
        )
    })
})

describe("Elman RNN", () => {
    const rnn: Layer = {
        type: "rnn",
        inputSize: 1,
        units: 2,
        activation: "tanh",
        Wx: [[0.5], [0.1]],
        Wh: [
            [0.4, 0.2],
            [0.3, 0.7],
        ],
        bx: [0, 0],
        bh: [0, 0],
    }
    const head: Layer = {
        type: "dense",
        inputSize: 2,
        units: 1,
        activation: "linear",
        W: [[1, -1]],
        b: [0],
    }

    it("reproduces the worked example of docs/spec.md: h_1", () => {
        const ref = new ReferenceModel(model(1, [rnn]))
        expectClose([ref.step([1])], [[0.46211716, 0.09966799]], 8)
    })

    it("reproduces the worked example of docs/spec.md: y_1, then a second step", () => {
        const ref = new ReferenceModel(model(1, [rnn, head]))
        const h1 = [tanh(0.5), tanh(0.1)]
        const x2 = -2
        const h2 = [
            tanh(0.5 * x2 + 0.4 * h1[0] + 0.2 * h1[1]),
            tanh(0.1 * x2 + 0.3 * h1[0] + 0.7 * h1[1]),
        ]
        const ys = ref.run([[1], [x2]])
        expect(ys[0][0]).toBeCloseTo(0.36244916, 8)
        expectClose(ys, [[h1[0] - h1[1]], [h2[0] - h2[1]]])

        ref.reset()
        expect(ref.step([1])[0]).toBeCloseTo(0.36244916, 8)
    })

    it("adds both biases and uses the layer activation", () => {
        const ref = new ReferenceModel(
            model(2, [
                {
                    type: "rnn",
                    inputSize: 2,
                    units: 1,
                    activation: "sigmoid",
                    Wx: [[0.7, -1.2]],
                    Wh: [[0.5]],
                    bx: [0.25],
                    bh: [-0.4],
                },
            ])
        )
        const h1 = sig(0.7 * 1 - 1.2 * 0.5 + 0.25 - 0.4)
        const h2 = sig(0.7 * -0.3 - 1.2 * 2 + 0.25 + 0.5 * h1 - 0.4)
        expectClose(
            ref.run([
                [1, 0.5],
                [-0.3, 2],
            ]),
            [[h1], [h2]]
        )
    })

    it("streams stacked layers: each layer feeds its h to the next every step", () => {
        const ref = new ReferenceModel(
            model(1, [
                {
                    type: "rnn",
                    inputSize: 1,
                    units: 1,
                    activation: "tanh",
                    Wx: [[0.9]],
                    Wh: [[0.5]],
                    bx: [0.1],
                    bh: [0],
                },
                {
                    type: "rnn",
                    inputSize: 1,
                    units: 1,
                    activation: "tanh",
                    Wx: [[-0.8]],
                    Wh: [[0.3]],
                    bx: [0],
                    bh: [0.2],
                },
            ])
        )
        const a1 = tanh(0.9 * 1 + 0.1)
        const b1 = tanh(-0.8 * a1 + 0.2)
        const a2 = tanh(0.9 * 0.5 + 0.1 + 0.5 * a1)
        const b2 = tanh(-0.8 * a2 + 0.3 * b1 + 0.2)
        expectClose(ref.run([[1], [0.5]]), [[b1], [b2]])
    })

    it("rejects an input of the wrong size", () => {
        const ref = new ReferenceModel(model(1, [rnn]))
        expect(() => ref.step([1, 2])).toThrow(/expects 1/)
    })
})

describe("LSTM", () => {
    function lstm1(recurrentActivation: "sigmoid" | "hard_sigmoid"): LstmLayer {
        return {
            type: "lstm",
            inputSize: 1,
            units: 1,
            activation: "tanh",
            recurrentActivation,
            // Gate blocks [i, f, c, o].
            Wx: [[0.5], [-0.3], [0.8], [0.2]],
            Wh: [[0.1], [0.6], [-0.4], [0.9]],
            bx: [0.05, 0.5, -0.1, 0.2],
            bh: [0.01, 0.3, 0.02, -0.15],
        }
    }

    /** Two steps, x = 1.5 then -0.7, written out from docs/spec.md section 3. */
    function lstm1Oracle(rec: (x: number) => number): number[][] {
        const x1 = 1.5
        const i1 = rec(0.5 * x1 + 0.05 + 0.01)
        const g1 = tanh(0.8 * x1 - 0.1 + 0.02)
        const c1 = i1 * g1 // c_0 = 0, so f_1 has no effect yet
        const o1 = rec(0.2 * x1 + 0.2 - 0.15)
        const h1 = o1 * tanh(c1)

        const x2 = -0.7
        const i2 = rec(0.5 * x2 + 0.05 + 0.1 * h1 + 0.01)
        const f2 = rec(-0.3 * x2 + 0.5 + 0.6 * h1 + 0.3)
        const g2 = tanh(0.8 * x2 - 0.1 - 0.4 * h1 + 0.02)
        const c2 = f2 * c1 + i2 * g2
        const o2 = rec(0.2 * x2 + 0.2 + 0.9 * h1 - 0.15)
        const h2 = o2 * tanh(c2)
        return [[h1], [h2]]
    }

    it("one unit, two steps, sigmoid gates", () => {
        const ref = new ReferenceModel(model(1, [lstm1("sigmoid")]))
        expectClose(ref.run([[1.5], [-0.7]]), lstm1Oracle(sig))
    })

    it("one unit, two steps, hard_sigmoid gates", () => {
        const ref = new ReferenceModel(model(1, [lstm1("hard_sigmoid")]))
        const out = ref.run([[1.5], [-0.7]])
        expectClose(out, lstm1Oracle(hardSig))
        // Guards against the oracle being insensitive to the gate function.
        expect(Math.abs(out[1][0] - lstm1Oracle(sig)[1][0])).toBeGreaterThan(
            1e-3
        )
    })

    it("two units: gate rows are taken in blocks of `units`", () => {
        const ref = new ReferenceModel(
            model(1, [
                {
                    type: "lstm",
                    inputSize: 1,
                    units: 2,
                    activation: "tanh",
                    recurrentActivation: "sigmoid",
                    // Rows i0 i1 f0 f1 c0 c1 o0 o1.
                    Wx: [
                        [0.1],
                        [-0.2],
                        [0.3],
                        [0.4],
                        [-0.5],
                        [0.6],
                        [0.7],
                        [-0.8],
                    ],
                    Wh: [
                        [0.1, 0.2],
                        [0.3, -0.1],
                        [0.2, 0.2],
                        [-0.3, 0.4],
                        [0.5, -0.6],
                        [0.1, 0.9],
                        [-0.2, 0.3],
                        [0.4, 0.1],
                    ],
                    bx: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
                    bh: [-0.05, 0, 0.05, 0.1, -0.1, 0.15, 0, 0.2],
                },
            ])
        )
        let x = 2
        const i1 = [sig(0.1 * x + 0.1 - 0.05), sig(-0.2 * x + 0.2 + 0)]
        const g1 = [tanh(-0.5 * x + 0.5 - 0.1), tanh(0.6 * x + 0.6 + 0.15)]
        const c1 = [i1[0] * g1[0], i1[1] * g1[1]]
        const o1 = [sig(0.7 * x + 0.7 + 0), sig(-0.8 * x + 0.8 + 0.2)]
        const [a, b] = [o1[0] * tanh(c1[0]), o1[1] * tanh(c1[1])]

        x = -0.5
        const i2 = [
            sig(0.1 * x + 0.1 + 0.1 * a + 0.2 * b - 0.05),
            sig(-0.2 * x + 0.2 + 0.3 * a - 0.1 * b + 0),
        ]
        const f2 = [
            sig(0.3 * x + 0.3 + 0.2 * a + 0.2 * b + 0.05),
            sig(0.4 * x + 0.4 - 0.3 * a + 0.4 * b + 0.1),
        ]
        const g2 = [
            tanh(-0.5 * x + 0.5 + 0.5 * a - 0.6 * b - 0.1),
            tanh(0.6 * x + 0.6 + 0.1 * a + 0.9 * b + 0.15),
        ]
        const o2 = [
            sig(0.7 * x + 0.7 - 0.2 * a + 0.3 * b + 0),
            sig(-0.8 * x + 0.8 + 0.4 * a + 0.1 * b + 0.2),
        ]
        const c2 = [
            f2[0] * c1[0] + i2[0] * g2[0],
            f2[1] * c1[1] + i2[1] * g2[1],
        ]
        const h2 = [o2[0] * tanh(c2[0]), o2[1] * tanh(c2[1])]
        expectClose(ref.run([[2], [-0.5]]), [[a, b], h2])
    })
})

describe("GRU", () => {
    function gru2(resetAfter: boolean): GruLayer {
        return {
            type: "gru",
            inputSize: 1,
            units: 2,
            activation: "tanh",
            recurrentActivation: "sigmoid",
            resetAfter,
            // Rows z0 z1 r0 r1 h0 h1.
            Wx: [[0.6], [-0.3], [-0.4], [0.5], [0.9], [-0.8]],
            Wh: [
                [0.3, -0.2],
                [0.1, 0.4],
                [0.8, 0.1],
                [-0.5, 0.6],
                [-0.7, 0.2],
                [0.3, 0.9],
            ],
            bx: [0.1, 0, -0.2, 0.1, 0.05, -0.1],
            bh: [-0.1, 0.2, 0.3, 0, 0.25, -0.15],
        }
    }

    /** Two steps, x = 1 then -1.5, written out from the canonical.ts formulas. */
    function gru2Oracle(resetAfter: boolean): number[][] {
        let x = 1
        const z1 = [sig(0.6 * x + 0.1 - 0.1), sig(-0.3 * x + 0 + 0.2)]
        const r1 = [sig(-0.4 * x - 0.2 + 0.3), sig(0.5 * x + 0.1 + 0)]
        // h_0 = 0: only the recurrent bias bh_h remains, and only resetAfter gates it.
        const n1 = resetAfter
            ? [
                  tanh(0.9 * x + 0.05 + r1[0] * 0.25),
                  tanh(-0.8 * x - 0.1 + r1[1] * -0.15),
              ]
            : [tanh(0.9 * x + 0.05 + 0.25), tanh(-0.8 * x - 0.1 - 0.15)]
        const [a, b] = [(1 - z1[0]) * n1[0], (1 - z1[1]) * n1[1]]

        x = -1.5
        const z = [
            sig(0.6 * x + 0.1 + 0.3 * a - 0.2 * b - 0.1),
            sig(-0.3 * x + 0 + 0.1 * a + 0.4 * b + 0.2),
        ]
        const r = [
            sig(-0.4 * x - 0.2 + 0.8 * a + 0.1 * b + 0.3),
            sig(0.5 * x + 0.1 - 0.5 * a + 0.6 * b + 0),
        ]
        const [ra, rb] = [r[0] * a, r[1] * b] // reset-before gates h itself
        const n = resetAfter
            ? [
                  tanh(0.9 * x + 0.05 + r[0] * (-0.7 * a + 0.2 * b + 0.25)),
                  tanh(-0.8 * x - 0.1 + r[1] * (0.3 * a + 0.9 * b - 0.15)),
              ]
            : [
                  tanh(0.9 * x + 0.05 - 0.7 * ra + 0.2 * rb + 0.25),
                  tanh(-0.8 * x - 0.1 + 0.3 * ra + 0.9 * rb - 0.15),
              ]
        const h2 = [z[0] * a + (1 - z[0]) * n[0], z[1] * b + (1 - z[1]) * n[1]]
        return [[a, b], h2]
    }

    for (const resetAfter of [true, false]) {
        it(`two units, two steps, resetAfter ${resetAfter}`, () => {
            const ref = new ReferenceModel(model(1, [gru2(resetAfter)]))
            expectClose(ref.run([[1], [-1.5]]), gru2Oracle(resetAfter))
        })
    }

    it("the two reset conventions give different results", () => {
        const after = gru2Oracle(true)
        const before = gru2Oracle(false)
        expect(Math.abs(after[1][0] - before[1][0])).toBeGreaterThan(1e-3)
        expect(Math.abs(after[1][1] - before[1][1])).toBeGreaterThan(1e-3)
    })
})

describe("dense head and normalization", () => {
    it("softmax over the whole output vector", () => {
        const ref = new ReferenceModel(
            model(2, [
                {
                    type: "dense",
                    inputSize: 2,
                    units: 3,
                    activation: "softmax",
                    W: [
                        [1, 0.5],
                        [-1, 2],
                        [0.3, 0],
                    ],
                    b: [0, 0.1, -0.2],
                },
            ])
        )
        const x = [0.4, 0.8]
        const l = [
            1 * x[0] + 0.5 * x[1] + 0,
            -1 * x[0] + 2 * x[1] + 0.1,
            0.3 * x[0] + 0 * x[1] - 0.2,
        ]
        const sum = Math.exp(l[0]) + Math.exp(l[1]) + Math.exp(l[2])
        expectClose(
            [ref.step(x)],
            [[Math.exp(l[0]) / sum, Math.exp(l[1]) / sum, Math.exp(l[2]) / sum]]
        )
    })

    it("normalizes inputs and de-normalizes outputs per feature", () => {
        const ref = new ReferenceModel(
            model(
                2,
                [
                    {
                        type: "dense",
                        inputSize: 2,
                        units: 2,
                        activation: "linear",
                        W: [
                            [0.3, -0.7],
                            [1, 1],
                        ],
                        b: [0.1, 0],
                    },
                ],
                {
                    inputNormalization: { mean: [10, -2], std: [2, 0.5] },
                    outputNormalization: { mean: [5, -1], std: [3, 0.5] },
                }
            )
        )
        const xn = [(13 - 10) / 2, (-1 - -2) / 0.5]
        const y = [0.3 * xn[0] - 0.7 * xn[1] + 0.1, xn[0] + xn[1]]
        expectClose([ref.step([13, -1])], [[y[0] * 3 + 5, y[1] * 0.5 - 1]])
    })
})
