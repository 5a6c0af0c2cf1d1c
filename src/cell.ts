import { Layer, WeightShape, checkProjection, fill, zeros } from "./layer"

/**
 * A recurrent layer's whole step as straight-line code that dsrnn compile
 * emits for one model: the gate sums with literal weights, the activations
 * and the state update, for the units in blocks [block0, block1). It reads
 * h (and c, an LSTM's cell state, updated in place) and writes the new h to
 * `hOut`. A block is the unit stepAsync slices by.
 */
export interface CellCode extends WeightShape {
    blocks: number
    blockMacs: number
    apply(x: number[], h: number[], c: number[], hOut: number[], block0: number, block1: number): void
}

/**
 * An LSTM, GRU or RNN layer whose step is a CellCode: the formulas of
 * lstm.ts, gru.ts and rnn.ts with no gate arrays in between. A step run in
 * one call writes h in place, as the code reads all of h before it writes;
 * a step that stepAsync slices writes the new h aside and copies it in
 * update(), so later slices still read the old h.
 */
export class CompiledCell implements Layer {
    outputSize: number
    out: number[]
    state: number[][]
    stageRows: number[]
    stageCols: number[]
    private c: number[]
    private next: number[]
    private sliced = false

    constructor(
        public inputSize: number,
        public units: number,
        private code: CellCode,
        rowsPerUnit: number,
        cellState: boolean
    ) {
        checkProjection("CompiledCell", code, rowsPerUnit * units, inputSize, units)
        this.outputSize = units
        this.out = zeros(units)
        this.c = cellState ? zeros(units) : null
        this.next = zeros(units)
        this.state = cellState ? [this.out, this.c] : [this.out]
        this.stageRows = [code.blocks]
        this.stageCols = [code.blockMacs]
    }

    project(stage: number, x: number[], block0: number, block1: number) {
        const whole = block0 === 0 && block1 === this.code.blocks
        if (!whole) this.sliced = true
        this.code.apply(x, this.out, this.c, whole ? this.out : this.next, block0, block1)
    }

    update(stage: number) {
        if (!this.sliced) return
        const h = this.out
        const next = this.next
        for (let j = 0; j < this.units; j++) h[j] = next[j]
        this.sliced = false
    }

    reset() {
        fill(this.out, 0)
        if (this.c) fill(this.c, 0)
    }
}
