import { Act, activate } from "./activation"
import { Layer, Projection, checkProjection, zeros } from "./layer"

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
        private w: Projection,
        private act: Act
    ) {
        checkProjection("Dense", w, units, inputSize, 0)
        this.outputSize = units
        this.out = zeros(units)
        this.state = []
        this.stageRows = [w.units]
        this.stageCols = [w.unitMacs]
    }

    project(stage: number, x: number[], row0: number, row1: number) {
        this.w.apply(x, null, this.out, row0, row1)
    }

    update(stage: number) {
        activate(this.out, 0, this.units, this.act)
    }

    reset() {}
}
