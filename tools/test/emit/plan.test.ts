/**
 * The prepare step: each kernel's LayerPlan against figures worked out by
 * hand from the layer's shape and src/'s constructors, and the plan a model
 * gets. Heap, by the allocator's rules of emit/heap.ts: an object is 24 B +
 * 16 per slot of its map, slots 4, 5, 6, 7, 8, 10, 12, 15 as fields are set
 * (so 88 B up to 4 fields, 104 with 5, 120 with 6, 136 with 7, 152 with 8,
 * 184 with 9 or 10, 216 with 11 or 12, 264 with 13 to 15); a number[] is 20
 * B + 8 per slot, slots growing 4, 6, 8, 11, 15, 20, 26, 33 by push, a
 * literal one exact, an empty one 16 B; a class's prototype 124 B with up to
 * 3 methods, 220 with 8, once per program (the field and method counts are
 * src/'s: device-classes.test.ts).
 */
import { describe, expect, test } from "vitest"
import type { CanonicalModel, Layer } from "../../src/model/canonical.ts"
import { describePlan, planLayer, planModel } from "../../src/emit/plan.ts"

const matrix = (rows: number, cols: number, v: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => v))
/** A recurrent layer with W_x, W_h 0.1 and biases 0.1 (so none is left out of the image). */
function recurrent(type: "lstm" | "gru" | "rnn", inputSize: number, units: number, resetAfter = true): Layer {
    const rows = (type === "lstm" ? 4 : type === "gru" ? 3 : 1) * units
    const w = { inputSize, units, activation: "tanh" as const, Wx: matrix(rows, inputSize, 0.1), Wh: matrix(rows, units, 0.1), bx: Array(rows).fill(0.1), bh: Array(rows).fill(0.1) }
    if (type === "lstm") return { type, ...w, recurrentActivation: "sigmoid" }
    if (type === "gru") return { type, ...w, recurrentActivation: "sigmoid", resetAfter }
    return { type, ...w }
}
const dense = (inputSize: number, units: number): Layer => ({ type: "dense", inputSize, units, activation: "linear", W: matrix(units, inputSize, 0.1), b: Array(units).fill(0.1) })

describe("kernel plans against figures by hand", () => {
    test("LSTM(3 -> 8), f32, flash matrices", () => {
        const p = planLayer(recurrent("lstm", 3, 8), "f32", "flash-matrices")
        expect(p.whole).toBe(false)
        expect(p.hiddenBits).toBe(0)
        expect(p.stages).toBe(1)
        expect(p.columns).toBe(11)
        // literal code would be one CompiledCell: 3 x + 8 h + 8 temporaries
        expect(p.locals).toBe(19)
        // 352 multiply-adds * 22 + 40 activated numbers (4 gates and tanh(c), 8 each) * 141
        expect(p.opcodes).toBe(352 * 22 + 40 * 141)
        // W_x 32 x 3 and W_h 32 x 8 in 4 B, biases 2 x 32 x 4 B
        expect(p.image).toBe(384 + 1024 + 256)
        // Lstm (15 fields) 264, two Matrix (7) 272, Affine (9) 184, stageRows/stageCols [1] 56; out, c, actC 3 x 84; g (32: 33 slots) 284; state [out, c] 36
        expect(p.heap).toBe(776 + 252 + 284 + 36)
        expect(p.classes.map(c => c.name)).toEqual(["Lstm", "Affine", "Matrix", "Matrix"])
    })

    test("LSTM(3 -> 8), f32, literal code: one CompiledCell", () => {
        const p = planLayer(recurrent("lstm", 3, 8), "f32", "literal-code")
        expect(p.whole).toBe(true)
        // 4 per multiply-add on x and on h (no grid in f32), 22 per activated number
        expect(p.opcodes).toBe(4 * 32 * 3 + 4 * 32 * 8 + 22 * 40)
        // 352 multiply-adds at 17 B
        expect(p.image).toBe(352 * 17)
        // CompiledCell (11 fields) 216, its CellCode (5) 104, out, next, c 3 x 84, state 36, stageRows/stageCols 56: no gate array
        expect(p.heap).toBe(216 + 104 + 252 + 36 + 56)
        expect(p.classes.map(c => c.name)).toEqual(["CompiledCell", "CellCode"])
    })

    test("an i8 LSTM with a grid keeps hGrid on the flash path, not in a CompiledCell", () => {
        const l = recurrent("lstm", 3, 8)
        const flash = planLayer(l, "i8", "flash-matrices")
        // |q| = 127 over the 8 columns of W_h: 25 - ceil(log2(1017)) = 15
        expect(flash.hiddenBits).toBe(15)
        expect(flash.heap - planLayer(l, "f32", "flash-matrices").heap).toBe(84)
        expect(planLayer(l, "i8", "literal-code").heap).toBe(planLayer(l, "f32", "literal-code").heap)
        // i8 weights 1 B each plus a 4 B scale per row: 32 * 3 + 128 + 32 * 8 + 128, biases 256
        expect(flash.image).toBe(224 + 384 + 256)
        // two rows of W_h share a sum: 2.1 per multiply-add on h
        expect(planLayer(l, "i8", "literal-code").opcodes).toBeCloseTo(4 * 32 * 3 + 2.1 * 32 * 8 + 22 * 40, 9)
    })

    test("GRU(4 -> 6) reset before: two stages, W_h spelled out twice, no CompiledCell", () => {
        const l = recurrent("gru", 4, 6, false)
        const p = planLayer(l, "i16", "unrolled-flash")
        expect(p.stages).toBe(2)
        expect(p.columns).toBe(2 * 10)
        expect(planLayer(l, "i16", "literal-code").whole).toBe(false)
        // 180 multiply-adds * 9.2 + 18 activated * 125
        expect(p.opcodes).toBeCloseTo(180 * 9.2 + 18 * 125, 9)
        // i16: 18 x 4 and 18 x 6 at 2 B plus 18 scales each, biases 2 x 72; code 200 + 16 per column
        expect(p.image).toBe(144 + 72 + 216 + 72 + 144 + 200 + 16 * 20)
        // Gru (15 fields) 264 + its GruProjection (5) 104, no Matrix or Affine + two-stage stageRows/stageCols 72; out (6 slots) 68, gx (18: 20 slots) 180, gh (the n rows) 68, state 28
        expect(p.heap).toBe(264 + 104 + 72 + 68 + 180 + 68 + 28)
    })

    test("GRU reset after and RNN on literal code are emitted whole", () => {
        expect(planLayer(recurrent("gru", 4, 6), "f32", "literal-code")).toMatchObject({ whole: true, stages: 1, columns: 10, locals: 4 + 6 + 8 })
        // CompiledCell 216, CellCode 104, out and next (5: 6 slots) 2 x 68, state [out] 28, stageRows/stageCols 56
        expect(planLayer(recurrent("rnn", 2, 5), "f32", "literal-code")).toMatchObject({ whole: true, columns: 7, heap: 216 + 104 + 136 + 28 + 56 })
    })

    test("Dense(5 -> 2): columns and locals are its inputs", () => {
        const p = planLayer(dense(5, 2), "i16", "literal-code")
        expect(p).toMatchObject({ whole: false, stages: 1, columns: 5, locals: 5, hiddenBits: 0 })
        // 10 multiply-adds at 9.5 B, rounded up
        expect(p.image).toBe(95)
        expect(p.opcodes).toBe(10 * 4 + 2 * 50)
        // Dense (9 fields) 184 + its Projection 104 + stageRows/stageCols 56, out 52, state [] 16
        expect(p.heap).toBe(344 + 52 + 16)
    })
})

describe("the model plan", () => {
    const model: CanonicalModel = { format: "dsrnn-model", version: 1, inputSize: 3, outputSize: 2, layers: [recurrent("lstm", 3, 8), dense(8, 2)] }

    test("sums its layers and adds the step's fixed cost, the margin and the Model's own heap", () => {
        const p = planModel(model, "f32", ["unrolled-flash", "literal-code"])
        const [lstm, head] = p.layers
        expect(p.image).toBe(lstm.image + head.image)
        // 600 opcodes per step, 10% margin, rounded up
        expect(p.opcodes).toBe(Math.ceil(1.1 * (600 + lstm.opcodes + head.opcodes)))
        // Model (6 fields) 120, its layer list 36; the Forecaster (9 fields) 184, its x (3) and y, lower, upper (2) 4 x 52;
        // scaling (8 fields) 152, no lists; prototypes of Model (8 methods) 220, Forecaster, Lstm, Dense and the two Projections 5 x 124
        expect(p.heap).toBe(120 + 36 + 184 + 208 + 152 + 220 + 5 * 124 + lstm.heap + head.heap)
        expect(describePlan(p)).toBe("lstm(8) unrolled flash, dense(2) specialised")
        expect(describePlan(planModel(model, "f32", "flash-matrices"))).toBe("flash matrices")
    })
})
