import { Matrix } from "./matrix"

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

export function checkShape(what: string, m: Matrix, wantRows: number, wantCols: number) {
    if (m.rows !== wantRows || m.cols !== wantCols)
        throw new Error(`${what}: weights are ${m.rows}x${m.cols}, expected ${wantRows}x${wantCols}`)
}

/**
 * The weights of a recurrent layer: `gates` blocks of `units` rows each in
 * W_x (input), W_h (recurrent) and the f32 bias Buffers b_x, b_h (null = 0).
 * Bundled because the VM allows at most 8 arguments per call.
 */
export class Gates {
    constructor(
        public wx: Matrix,
        public wh: Matrix,
        public bx: Buffer,
        public bh: Buffer
    ) {}

    check(what: string, gates: number, inputSize: number, units: number) {
        checkShape(what + " W_x", this.wx, gates * units, inputSize)
        checkShape(what + " W_h", this.wh, gates * units, units)
    }
}
