import { describe, expect, it } from "vitest"
import {
    CANONICAL_FORMAT,
    CANONICAL_VERSION,
    type CanonicalModel,
    type Matrix,
} from "../../src/model/canonical.ts"
import {
    hiddenBits,
    packMatrix,
    packVector,
    quantizationError,
    quantizeModel,
    unpackMatrix,
    unpackVector,
    type Encoding,
} from "../../src/model/quantize.ts"

/** Deterministic weights in [-amp, amp) so failures reproduce. */
function pseudoRandomMatrix(rows: number, cols: number, amp: number): Matrix {
    let s = 12345
    const next = () => {
        s = (s * 1103515245 + 12345) % 2 ** 31
        return (s / 2 ** 31) * 2 - 1
    }
    return Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => next() * amp)
    )
}

describe("round trip", () => {
    it("f32 gives exactly the float32-rounded weights", () => {
        const m = [
            [0.1, -2.5, 1e-3],
            [3.14159, 0, -7e10],
        ]
        const p = packMatrix(m, "f32")
        expect(p.scales).toBeNull()
        expect(p.data.byteLength).toBe(6 * 4)
        expect(unpackMatrix(p)).toEqual(m.map(r => r.map(Math.fround)))
    })

    for (const [encoding, qmax] of [
        ["i8", 127],
        ["i16", 32767],
    ] as const) {
        it(`${encoding} is within half a step per element`, () => {
            const m = pseudoRandomMatrix(5, 7, 3)
            m[2] = m[2].map(w => w / 1000) // a row with a much smaller range
            const p = packMatrix(m, encoding)
            const u = unpackMatrix(p)
            expect(p.data.byteLength).toBe(5 * 7 * (encoding === "i8" ? 1 : 2))
            m.forEach((row, r) => {
                const maxAbs = Math.max(...row.map(Math.abs))
                const scale = p.scales![r]
                expect(scale).toBe(Math.fround(maxAbs / qmax))
                row.forEach((w, c) => {
                    // Tiny slack: the float32 scale can round either way.
                    expect(Math.abs(u[r][c] - w)).toBeLessThanOrEqual(
                        scale / 2 + 1e-12 * maxAbs
                    )
                })
            })
        })
    }
})

describe("byte layout", () => {
    it("i8: row-major int8, one scale per row", () => {
        // 0.25 / (1/127) = 31.75 and 0.5 / (2/127) = 31.75: no rounding ties.
        const p = packMatrix(
            [
                [1, -0.25],
                [0.5, 2],
            ],
            "i8"
        )
        expect([...p.data]).toEqual([127, 256 - 32, 32, 127])
        expect([...p.scales!]).toEqual([
            Math.fround(1 / 127),
            Math.fround(2 / 127),
        ])
        expect(unpackMatrix(p)).toEqual([
            [127 * Math.fround(1 / 127), -32 * Math.fround(1 / 127)],
            [32 * Math.fround(2 / 127), 127 * Math.fround(2 / 127)],
        ])
    })

    it("i16: little-endian int16", () => {
        // 32767 = 0x7fff; -0.25 * 32767 = -8191.75 -> -8192 = 0xe000
        const p = packMatrix([[1, -0.25]], "i16")
        expect([...p.data]).toEqual([0xff, 0x7f, 0x00, 0xe0])
        expect([...p.scales!]).toEqual([Math.fround(1 / 32767)])
    })

    it("quantizes against the float32 scale the device multiplies by", () => {
        // fround(1/32767) is 9.3e-10 (relative) below 1/32767, which pushes
        // w just past the 30000.5 tie: the float64 scale would give 30000.
        const w = (30000.5 - 1e-5) / 32767
        const p = packMatrix([[1, w]], "i16")
        expect([...p.data]).toEqual([0xff, 0x7f, 30001 & 0xff, 30001 >> 8])
    })

    it("f32: little-endian IEEE float32", () => {
        // 1.0f = 0x3f800000, -2.0f = 0xc0000000
        const p = packMatrix([[1, -2]], "f32")
        expect([...p.data]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0])
    })

    it("an all-zero row gets scale 0 and q = 0", () => {
        const p = packMatrix(
            [
                [0, 0],
                [1, -1],
            ],
            "i8"
        )
        expect([...p.data]).toEqual([0, 0, 127, 256 - 127])
        expect([...p.scales!]).toEqual([0, Math.fround(1 / 127)])
        expect(unpackMatrix(p)[0]).toEqual([0, 0])
    })

    it("vectors are little-endian float32", () => {
        const bytes = packVector([1, -2, 0.1])
        expect([...bytes.subarray(0, 8)]).toEqual([
            0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0,
        ])
        expect(unpackVector(bytes)).toEqual([1, -2, Math.fround(0.1)])
        expect(() => unpackVector(new Uint8Array(6))).toThrow(/multiple of 4/)
    })
})

describe("invalid weights", () => {
    for (const encoding of ["f32", "i16", "i8"] as Encoding[]) {
        it(`${encoding} rejects NaN and infinities, naming the row`, () => {
            expect(() => packMatrix([[0], [NaN]], encoding)).toThrow(
                /row 1, column 0 is NaN/
            )
            expect(() => packMatrix([[1, Infinity]], encoding, "W")).toThrow(
                /^W: row 0, column 1 is Infinity/
            )
            expect(() => packMatrix([[-Infinity]], encoding)).toThrow(
                /-Infinity/
            )
        })
    }

    it("rejects values that overflow float32", () => {
        expect(() => packMatrix([[1e39]], "f32")).toThrow(
            /not a finite float32/
        )
    })

    it("rejects ragged matrices", () => {
        expect(() => packMatrix([[1, 2], [3]], "i8")).toThrow(
            /row 1 has 1 columns/
        )
    })

    it("quantizeModel names the offending tensor", () => {
        const m = smallModel()
        ;(m.layers[0] as { Wh: Matrix }).Wh[1][0] = NaN
        expect(() => quantizeModel(m, "i8")).toThrow(/layers\[0\]\.Wh: row 1/)
    })
})

describe("quantizationError", () => {
    it("matches hand-computed errors", () => {
        // Scales are exact: 127 / 127 = 1 and 63.5 / 127 = 0.5.
        // Row 0: q = [127, 0, -3] -> errors 0, 0.3, 0.4
        // Row 1: q = [-127, 20, 0] -> values -63.5, 10, 0 -> errors 0, 0.2, 0
        const m = [
            [127, 0.3, -2.6],
            [-63.5, 10.2, 0],
        ]
        const p = packMatrix(m, "i8")
        expect([...p.scales!]).toEqual([1, 0.5])
        const e = quantizationError(m, p)
        expect(e.maxAbs).toBeCloseTo(0.4, 12)
        expect(e.rms).toBeCloseTo(Math.sqrt((0.09 + 0.16 + 0.04) / 6), 12)
    })

    it("is zero for f32 of float32-representable weights", () => {
        const m = [[0.5, -0.25, 3]]
        expect(quantizationError(m, packMatrix(m, "f32"))).toEqual({
            maxAbs: 0,
            rms: 0,
        })
    })
})

function smallModel(): CanonicalModel {
    return {
        format: CANONICAL_FORMAT,
        version: CANONICAL_VERSION,
        name: "small",
        inputSize: 2,
        outputSize: 1,
        inputNames: ["a", "b"],
        inputNormalization: { mean: [0.1, 0.2], std: [1.5, 2.5] },
        outputNormalization: { mean: [0.3], std: [0.7] },
        layers: [
            {
                type: "gru",
                inputSize: 2,
                units: 2,
                activation: "tanh",
                recurrentActivation: "hard_sigmoid",
                resetAfter: true,
                Wx: pseudoRandomMatrix(6, 2, 1),
                Wh: pseudoRandomMatrix(6, 2, 0.5),
                bx: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
                bh: [-0.1, -0.2, -0.3, -0.4, -0.5, -0.6],
            },
            {
                type: "lstm",
                inputSize: 2,
                units: 1,
                activation: "tanh",
                recurrentActivation: "sigmoid",
                Wx: pseudoRandomMatrix(4, 2, 2),
                Wh: pseudoRandomMatrix(4, 1, 0.7),
                bx: [0.1, 0.2, 0.3, 0.4],
                bh: [0.01, 0.02, 0.03, 0.04],
            },
            {
                type: "rnn",
                inputSize: 1,
                units: 1,
                activation: "relu",
                Wx: [[0.3]],
                Wh: [[-0.9]],
                bx: [0.7],
                bh: [0.11],
            },
            {
                type: "dense",
                inputSize: 1,
                units: 1,
                activation: "linear",
                W: [[1.7]],
                b: [-0.3],
            },
        ],
    }
}

describe("quantizeModel", () => {
    for (const encoding of ["f32", "i16", "i8"] as Encoding[]) {
        it(`${encoding}: same structure, device weights, float32 biases`, () => {
            const m = smallModel()
            const before = structuredClone(m)
            const q = quantizeModel(m, encoding)
            expect(m).toEqual(before) // input untouched

            const { layers: ql, ...qRest } = q
            const { layers: ml, ...mRest } = m
            expect(qRest).toEqual(mRest)
            expect(ql.length).toBe(ml.length)
            ml.forEach((l, i) => {
                const k = ql[i]
                const device = (w: Matrix) =>
                    unpackMatrix(packMatrix(w, encoding))
                const f32 = (v: number[]) => v.map(Math.fround)
                if (l.type === "dense") {
                    expect(k).toEqual({ ...l, W: device(l.W), b: f32(l.b) })
                } else {
                    // i8 layers whose h stays in [-1, 1] get a grid (its value: the hiddenBits tests)
                    const grid = encoding === "i8" && l.activation !== "relu" ? { hiddenBits: expect.any(Number) } : {}
                    expect(k).toEqual({
                        ...l,
                        Wx: device(l.Wx),
                        Wh: device(l.Wh),
                        bx: f32(l.bx),
                        bh: f32(l.bh),
                        ...grid,
                    })
                }
            })
        })
    }

    it("i8 changes weights, f32 only rounds them", () => {
        const m = smallModel()
        const w = (mm: CanonicalModel) =>
            (mm.layers[0] as { Wx: Matrix }).Wx[0][1]
        const orig = w(m)
        expect(w(quantizeModel(m, "f32"))).toBe(Math.fround(orig))
        const i8 = w(quantizeModel(m, "i8"))
        expect(i8).not.toBe(Math.fround(orig))
        expect(Math.abs(i8 - orig)).toBeLessThan(1 / 127)
    })
})

describe("hiddenBits: the grid of the h that W_h multiplies", () => {
    // Row 0: scale 1/127, q = [127, 32] (0.25 * 127 = 31.75), sum of |q| 159.
    // Row 1: scale 0.5/127, q = [127, 127], sum 254. ceil(log2(254 + 1)) = 8,
    // so bits = 25 - 8 = 17: a row's sum of q * h * 2^17 stays below
    // 254 * 2^17 < 2^25, and two rows fit one float64 as low + high * 2^26.
    const rnn = (activation: "tanh" | "relu" | "sigmoid") => ({
        type: "rnn" as const,
        inputSize: 1,
        units: 2,
        activation,
        Wx: [[1], [1]],
        Wh: [
            [1, 0.25],
            [0.5, 0.5],
        ],
        bx: [0, 0],
        bh: [0, 0],
    })

    it("is 25 minus the bits of the largest row sum of |q|", () => {
        expect(hiddenBits(rnn("tanh"), "i8")).toBe(17)
        expect(hiddenBits(rnn("sigmoid"), "i8")).toBe(17)
    })

    it("a full row of 127s at 32 units leaves 13 bits: 4,064 * 2^13 < 2^25", () => {
        const units = 32
        const lstm = {
            type: "lstm" as const,
            inputSize: 1,
            units,
            activation: "tanh" as const,
            recurrentActivation: "sigmoid" as const,
            Wx: Array.from({ length: 4 * units }, () => [1]),
            Wh: Array.from({ length: 4 * units }, () => new Array(units).fill(-0.3)),
            bx: new Array(4 * units).fill(0),
            bh: new Array(4 * units).fill(0),
        }
        expect(hiddenBits(lstm, "i8")).toBe(13)
    })

    it("none where h is unbounded, the weights are not i8, or the GRU resets before", () => {
        expect(hiddenBits(rnn("relu"), "i8")).toBe(0)
        expect(hiddenBits(rnn("tanh"), "i16")).toBe(0)
        expect(hiddenBits(rnn("tanh"), "f32")).toBe(0)
        const gru = (resetAfter: boolean, recurrentActivation: "sigmoid" | "tanh") => ({
            type: "gru" as const,
            inputSize: 1,
            units: 1,
            activation: "tanh" as const,
            recurrentActivation,
            resetAfter,
            Wx: [[1], [1], [1]],
            Wh: [[1], [1], [1]],
            bx: [0, 0, 0],
            bh: [0, 0, 0],
        })
        expect(hiddenBits(gru(true, "sigmoid"), "i8")).toBe(25 - 7)
        expect(hiddenBits(gru(false, "sigmoid"), "i8")).toBe(0)
        // z in [-1, 1] would let h' = z h + (1 - z) n reach 3
        expect(hiddenBits(gru(true, "tanh"), "i8")).toBe(0)
    })
})
