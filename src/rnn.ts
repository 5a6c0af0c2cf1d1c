import { Act, activate } from "./activation"
import { Layer, Projection, checkProjection, fill, onGrid, zeros } from "./layer"

/**
 * Elman RNN: h_t = act(W_x x_t + b_x + W_h h_{t-1} + b_h). With `hiddenBits`
 * > 0, W_h multiplies h rounded to that grid (onGrid).
 */
export class Rnn implements Layer {
    outputSize: number
    out: number[]
    state: number[][]
    stageRows: number[]
    stageCols: number[]
    private pre: number[]
    private hGrid: number[]

    constructor(
        public inputSize: number,
        public units: number,
        private w: Projection,
        private act: Act,
        private hiddenBits = 0
    ) {
        checkProjection("Rnn", w, units, inputSize, units)
        this.outputSize = units
        this.out = zeros(units)
        this.pre = zeros(units)
        this.hGrid = hiddenBits ? zeros(units) : null
        this.state = [this.out]
        this.stageRows = [w.units]
        this.stageCols = [w.unitMacs]
    }

    project(stage: number, x: number[], row0: number, row1: number) {
        const h = this.hGrid ? onGrid(this.out, this.hGrid, this.hiddenBits, row0) : this.out
        this.w.apply(x, h, this.pre, row0, row1)
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
