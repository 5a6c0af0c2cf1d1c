import { Act, activate } from "./activation"
import { Layer, Projection, checkProjection, fill, onGrid, zeros } from "./layer"

/**
 * LSTM cell as in docs/spec.md section 3. Gate blocks of W_x, W_h, b_x, b_h are
 * [i, f, c~, o] (the Keras order), `units` rows each:
 *   g = W_x x_t + b_x + W_h h_{t-1} + b_h
 *   i = rec(g_i), f = rec(g_f), c~ = act(g_c), o = rec(g_o)
 *   c_t = f * c_{t-1} + i * c~,  h_t = o * act(c_t)
 * With `hiddenBits` > 0, W_h multiplies h rounded to that grid (onGrid).
 */
export class Lstm implements Layer {
    outputSize: number
    out: number[]
    state: number[][]
    stageRows: number[]
    stageCols: number[]
    private c: number[]
    private g: number[]
    private actC: number[]
    private hGrid: number[]

    constructor(
        public inputSize: number,
        public units: number,
        private w: Projection,
        private act: Act,
        private rec: Act,
        private hiddenBits = 0
    ) {
        checkProjection("Lstm", w, 4 * units, inputSize, units)
        this.outputSize = units
        this.out = zeros(units)
        this.c = zeros(units)
        this.g = zeros(4 * units)
        this.actC = zeros(units)
        this.hGrid = hiddenBits ? zeros(units) : null
        this.state = [this.out, this.c]
        this.stageRows = [w.units]
        this.stageCols = [w.unitMacs]
    }

    project(stage: number, x: number[], row0: number, row1: number) {
        const h = this.hGrid ? onGrid(this.out, this.hGrid, this.hiddenBits, row0) : this.out
        this.w.apply(x, h, this.g, row0, row1)
    }

    update(stage: number) {
        const n = this.units
        const g = this.g
        const c = this.c
        const h = this.out
        const actC = this.actC
        activate(g, 0, 2 * n, this.rec) // i, f
        activate(g, 2 * n, 3 * n, this.act) // c~
        activate(g, 3 * n, 4 * n, this.rec) // o
        for (let j = 0; j < n; j++) {
            c[j] = g[n + j] * c[j] + g[j] * g[2 * n + j]
            actC[j] = c[j]
        }
        activate(actC, 0, n, this.act)
        for (let j = 0; j < n; j++) h[j] = g[3 * n + j] * actC[j]
    }

    reset() {
        fill(this.out, 0)
        fill(this.c, 0)
    }
}
