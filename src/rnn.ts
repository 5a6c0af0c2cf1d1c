import { Act, activate } from "./activation"
import { Gates, Layer, fill, zeros } from "./layer"
import { matVec } from "./matrix"

/** Elman RNN: h_t = act(W_x x_t + b_x + W_h h_{t-1} + b_h). */
export class Rnn implements Layer {
    outputSize: number
    out: number[]
    state: number[][]
    stageRows: number[]
    stageCols: number[]
    private pre: number[]

    constructor(
        public inputSize: number,
        public units: number,
        private w: Gates,
        private act: Act
    ) {
        w.check("Rnn", 1, inputSize, units)
        this.outputSize = units
        this.out = zeros(units)
        this.pre = zeros(units)
        this.state = [this.out]
        this.stageRows = [units]
        this.stageCols = [inputSize + units]
    }

    project(stage: number, x: number[], row0: number, row1: number) {
        matVec(this.w.wx, x, this.w.bx, this.pre, row0, row1, false)
        matVec(this.w.wh, this.out, this.w.bh, this.pre, row0, row1, true)
    }

    update(stage: number) {
        const pre = this.pre
        const h = this.out
        activate(pre, 0, this.units, this.act)
        for (let j = 0; j < this.units; j++) h[j] = pre[j]
    }

    reset() {
        fill(this.out, 0)
    }
}
