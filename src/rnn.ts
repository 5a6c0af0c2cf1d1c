import { Act, activate } from "./activation"
import { Layer, Projection, checkProjection, fill, zeros } from "./layer"

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
        private w: Projection,
        private act: Act
    ) {
        checkProjection("Rnn", w, units, inputSize, units)
        this.outputSize = units
        this.out = zeros(units)
        this.pre = zeros(units)
        this.state = [this.out]
        this.stageRows = [w.units]
        this.stageCols = [w.unitMacs]
    }

    project(stage: number, x: number[], row0: number, row1: number) {
        this.w.apply(x, this.out, this.pre, row0, row1)
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
