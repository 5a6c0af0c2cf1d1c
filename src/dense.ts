import { Act, activate } from "./activation"
import { Layer, checkShape, zeros } from "./layer"
import { Matrix, matVec } from "./matrix"

/** Dense layer: y = act(W x + b). */
export class Dense implements Layer {
    outputSize: number
    out: number[]
    state: number[][]
    stageRows: number[]
    stageCols: number[]

    constructor(
        public inputSize: number,
        public units: number,
        private w: Matrix,
        private b: Buffer,
        private act: Act
    ) {
        checkShape("Dense W", w, units, inputSize)
        this.outputSize = units
        this.out = zeros(units)
        this.state = []
        this.stageRows = [units]
        this.stageCols = [inputSize]
    }

    project(stage: number, x: number[], row0: number, row1: number) {
        matVec(this.w, x, this.b, this.out, row0, row1, false)
    }

    update(stage: number) {
        activate(this.out, 0, this.units, this.act)
    }

    reset() {}
}
