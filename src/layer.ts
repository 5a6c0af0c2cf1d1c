import { Matrix, matVec } from "./matrix"

/**
 * What the model needs from a layer. A step is a fixed sequence of stages;
 * each stage is matrix work that can be split into row ranges (so stepAsync
 * can suspend inside a large layer) followed by element-wise work.
 */
export interface Layer {
    inputSize: number
    outputSize: number
    /** This step's output: h for recurrent layers, y for dense. */
    out: number[]
    /** Rows of matrix work in each stage, and the multiply-adds per row. */
    stageRows: number[]
    stageCols: number[]
    project(stage: number, x: number[], row0: number, row1: number): void
    update(stage: number): void
    reset(): void
    /** The arrays that carry memory between steps (empty for dense). */
    state: number[][]
}

/** A zero vector, allocated once at construction. */
export function zeros(n: number): number[] {
    const v: number[] = []
    // `v.length = n` corrupts the heap in the 2.16.4 VM; push instead.
    for (let i = 0; i < n; i++) v.push(0)
    return v
}

export function fill(v: number[], value: number) {
    for (let i = 0; i < v.length; i++) v[i] = value
}

/**
 * The h that W_h multiplies in an i8 layer with a grid: `grid`, holding h
 * rounded to a multiple of 2^-bits (Math.round: halves away from zero). It
 * is refreshed at a step's first row (row0 === 0), so the later slices of a
 * stepAsync step read the same values. With h on a grid, dsrnn's
 * specialised code sums two rows of W_h in one exact float64 (hiddenBits in
 * tools/src/model/quantize.ts).
 */
export function onGrid(h: number[], grid: number[], bits: number, row0: number): number[] {
    if (row0 === 0) {
        const scale = Math.pow(2, bits)
        for (let j = 0; j < h.length; j++) grid[j] = Math.round(h[j] * scale) / scale
    }
    return grid
}

/**
 * The affine part of a layer: out[r] = W_x[r] . x + b_x[r] + W_h[r] . h + b_h[r]
 * for the rows of work units [unit0, unit1). A unit is one row for Affine;
 * code dsrnn specialises to a model (straight-line, weights as literals)
 * uses blocks of rows. `unitMacs` is the multiply-adds of one unit, which
 * stepAsync uses to slice the work.
 */
export interface Projection extends WeightShape {
    units: number
    unitMacs: number
    apply(x: number[], h: number[], out: number[], unit0: number, unit1: number): void
}

/** Rows of the weights, and the columns that multiply x and h. */
export interface WeightShape {
    rows: number
    inputs: number
    hidden: number
}

export function checkProjection(what: string, p: WeightShape, rows: number, inputs: number, hidden: number) {
    if (p.rows !== rows || p.inputs !== inputs || p.hidden !== hidden)
        throw new Error(`${what}: weights are ${p.rows}x(${p.inputs}+${p.hidden}), expected ${rows}x(${inputs}+${hidden})`)
}

/**
 * Weights read from flash Buffers: `gates` blocks of `units` rows each in
 * W_x (input), W_h (recurrent, null for dense) and the f32 bias Buffers
 * b_x, b_h (null = 0). Bundled because the VM allows at most 8 arguments
 * per call.
 */
export class Affine implements Projection {
    rows: number
    inputs: number
    hidden: number
    units: number
    unitMacs: number

    constructor(
        public wx: Matrix,
        public wh: Matrix,
        public bx: Buffer,
        public bh: Buffer
    ) {
        this.rows = wx.rows
        this.inputs = wx.cols
        this.hidden = wh ? wh.cols : 0
        if (wh && wh.rows !== wx.rows) throw new Error("Affine: W_x and W_h differ in rows")
        this.units = wx.rows
        this.unitMacs = this.inputs + this.hidden
    }

    apply(x: number[], h: number[], out: number[], unit0: number, unit1: number) {
        matVec(this.wx, x, this.bx, out, unit0, unit1, false)
        if (this.wh) matVec(this.wh, h, this.bh, out, unit0, unit1, true)
    }
}
