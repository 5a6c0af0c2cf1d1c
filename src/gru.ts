import { Act, activate } from "./activation"
import { Affine, Layer, checkProjection, fill, zeros } from "./layer"
import { matVec } from "./matrix"

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

    constructor(
        public inputSize: number,
        public units: number,
        private w: Affine,
        private act: Act,
        private rec: Act,
        private resetAfter: boolean
    ) {
        checkProjection("Gru", w, 3 * units, inputSize, units)
        this.outputSize = units
        this.out = zeros(units)
        this.gx = zeros(3 * units)
        this.gh = zeros(resetAfter ? 3 * units : units)
        this.state = [this.out]
        if (resetAfter) {
            this.stageRows = [3 * units]
            this.stageCols = [inputSize + units]
        } else {
            this.stageRows = [3 * units, units]
            this.stageCols = [inputSize + units, units]
        }
    }

    project(stage: number, x: number[], row0: number, row1: number) {
        const n = this.units
        if (this.resetAfter) {
            matVec(this.w.wx, x, this.w.bx, this.gx, row0, row1, false)
            matVec(this.w.wh, this.out, this.w.bh, this.gh, row0, row1, false)
        } else if (stage === 0) {
            matVec(this.w.wx, x, this.w.bx, this.gx, row0, row1, false)
            const hEnd = Math.min(row1, 2 * n)
            matVec(this.w.wh, this.out, this.w.bh, this.gx, row0, hEnd, true)
        } else {
            matVec(this.w.wh, this.gh, this.w.bh, this.gx, 2 * n + row0, 2 * n + row1, true)
        }
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
