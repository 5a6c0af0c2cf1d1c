import { Act, activate } from "./activation"
import { Affine, Layer, WeightShape, checkProjection, fill, onGrid, zeros } from "./layer"
import { matVec } from "./matrix"

/**
 * The GRU's matrix work, `units` blocks of rows per stage (stepAsync slices
 * by them). Stage 0, on x and h:
 *   gx[0..3n) = W_x x + b_x
 *   reset after:  gh[0..3n) = W_h h + b_h
 *   reset before: gx[0..2n) += W_h h + b_h   (z and r rows)
 * Stage 1, reset before only, on gh = r * h:
 *   gx[2n..3n) += W_hn gh + b_hn
 * GruAffine reads flash matrices; dsrnn compile can emit literal code instead.
 */
export interface GruProjection extends WeightShape {
    stageUnits: number[]
    stageUnitMacs: number[]
    apply(stage: number, x: number[], h: number[], gx: number[], gh: number[], unit0: number, unit1: number): void
}

/** GruProjection over flash matrices: a unit is one row. */
export class GruAffine implements GruProjection {
    rows: number
    inputs: number
    hidden: number
    stageUnits: number[]
    stageUnitMacs: number[]

    constructor(
        private w: Affine,
        private resetAfter: boolean
    ) {
        this.rows = w.rows
        this.inputs = w.inputs
        this.hidden = w.hidden
        const n = w.rows / 3
        this.stageUnits = resetAfter ? [w.rows] : [w.rows, n]
        this.stageUnitMacs = resetAfter ? [w.inputs + n] : [w.inputs + n, n]
    }

    apply(stage: number, x: number[], h: number[], gx: number[], gh: number[], row0: number, row1: number) {
        const w = this.w
        const n = this.rows / 3
        if (this.resetAfter) {
            matVec(w.wx, x, w.bx, gx, row0, row1, false)
            matVec(w.wh, h, w.bh, gh, row0, row1, false)
        } else if (stage === 0) {
            matVec(w.wx, x, w.bx, gx, row0, row1, false)
            matVec(w.wh, h, w.bh, gx, row0, Math.min(row1, 2 * n), true)
        } else {
            matVec(w.wh, gh, w.bh, gx, 2 * n + row0, 2 * n + row1, true)
        }
    }
}

/**
 * GRU cell. Gate blocks of W_x, W_h, b_x, b_h are [z, r, n] (the Keras
 * order), `units` rows each:
 *   z = rec(W_xz x + b_xz + W_hz h + b_hz),  r likewise
 *   reset after  (Keras reset_after, PyTorch, ONNX linear_before_reset):
 *     n = act(W_xn x + b_xn + r * (W_hn h + b_hn))
 *   reset before (Keras 1, ONNX default):
 *     n = act(W_xn x + b_xn + W_hn (r * h) + b_hn)
 *   h_t = z * h_{t-1} + (1 - z) * n
 * Reset-before needs r before the last W_h block, hence two stages.
 * With `hiddenBits` > 0 (reset after only), W_h multiplies h rounded to that
 * grid (onGrid).
 */
export class Gru implements Layer {
    outputSize: number
    out: number[]
    state: number[][]
    stageRows: number[]
    stageCols: number[]
    private gx: number[]
    // reset after: W_h h + b_h; reset before: r * h
    private gh: number[]
    private hGrid: number[]

    constructor(
        public inputSize: number,
        public units: number,
        private w: GruProjection,
        private act: Act,
        private rec: Act,
        private resetAfter: boolean,
        private hiddenBits = 0
    ) {
        checkProjection("Gru", w, 3 * units, inputSize, units)
        if (w.stageUnits.length !== (resetAfter ? 1 : 2)) throw new Error("Gru: the weights are for the other reset variant")
        this.outputSize = units
        this.out = zeros(units)
        this.gx = zeros(3 * units)
        this.gh = zeros(resetAfter ? 3 * units : units)
        this.hGrid = hiddenBits ? zeros(units) : null
        this.state = [this.out]
        this.stageRows = w.stageUnits
        this.stageCols = w.stageUnitMacs
    }

    project(stage: number, x: number[], unit0: number, unit1: number) {
        const h = this.hGrid ? onGrid(this.out, this.hGrid, this.hiddenBits, unit0) : this.out
        this.w.apply(stage, x, h, this.gx, this.gh, unit0, unit1)
    }

    update(stage: number) {
        const n = this.units
        const gx = this.gx
        const gh = this.gh
        const h = this.out
        if (this.resetAfter) {
            for (let j = 0; j < 2 * n; j++) gx[j] += gh[j]
            activate(gx, 0, 2 * n, this.rec) // z, r
            for (let j = 0; j < n; j++) gx[2 * n + j] += gx[n + j] * gh[2 * n + j]
        } else if (stage === 0) {
            activate(gx, 0, 2 * n, this.rec) // z, r
            for (let j = 0; j < n; j++) gh[j] = gx[n + j] * h[j]
            return
        }
        activate(gx, 2 * n, 3 * n, this.act) // n
        for (let j = 0; j < n; j++) h[j] = gx[j] * h[j] + (1 - gx[j]) * gx[2 * n + j]
    }

    reset() {
        fill(this.out, 0)
    }
}
