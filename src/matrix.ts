/** Weight matrices that stay in flash, and the one product the cells need. */

export const enum Enc {
    F32 = 0,
    I16 = 1,
    I8 = 2,
}

/**
 * A row-major weight matrix in read-only Buffers (`hex` literals, so it stays
 * in flash). Integer encodings carry one f32 scale per row: weight (r, k) =
 * q(r, k) * scale(r). One literal holds at most 61,440 bytes, so a larger
 * matrix comes in parts: `data` holds the first rows, each Buffer of `rest`
 * as many more (the last one the remainder).
 */
export class Matrix {
    /** Rows in each part. */
    partRows: number

    constructor(
        public data: Buffer,
        public scales: Buffer,
        public rows: number,
        public cols: number,
        public enc: Enc,
        public rest: Buffer[] = null
    ) {
        const rowBytes = cols * (enc === Enc.F32 ? 4 : enc === Enc.I16 ? 2 : 1)
        let bytes = data.length
        if (rest) for (let i = 0; i < rest.length; i++) bytes += rest[i].length
        this.partRows = rowBytes > 0 ? data.length / rowBytes : rows
        if (bytes !== rows * rowBytes || this.partRows !== Math.floor(this.partRows))
            throw new Error("Matrix: data size does not match rows x cols")
        if (enc !== Enc.F32 && (!scales || scales.length !== rows * 4))
            throw new Error("Matrix: need one f32 scale per row")
    }
}

/**
 * out[r] (+)= M[r] . x + bias[r] for rows [row0, row1). `bias` is an f32
 * Buffer or null. The encoding test sits outside the loops, so the inner loop
 * is one builtin read, one index, one multiply-add. Integer rows are scaled
 * once, after the dot product.
 */
export function matVec(
    m: Matrix,
    x: number[],
    bias: Buffer,
    out: number[],
    row0: number,
    row1: number,
    accumulate: boolean
) {
    const cols = m.cols
    const scales = m.scales
    const partRows = m.partRows
    // Four columns per loop turn: the VM spends about 7 of a column's 28 opcodes on
    // the loop itself (k++, the test, the jump). Same order of additions, same sum.
    const cols4 = cols - 3
    for (let r = row0; r < row1; r++) {
        let acc = 0
        let k = 0
        let data = m.data
        let row = r
        if (r >= partRows) {
            data = m.rest[Math.floor(r / partRows) - 1]
            row = r % partRows
        }
        if (m.enc === Enc.I8) {
            const base = row * cols
            for (; k < cols4; k += 4) {
                const at = base + k
                acc += data.getAt(at, "i8") * x[k]
                acc += data.getAt(at + 1, "i8") * x[k + 1]
                acc += data.getAt(at + 2, "i8") * x[k + 2]
                acc += data.getAt(at + 3, "i8") * x[k + 3]
            }
            for (; k < cols; k++) acc += data.getAt(base + k, "i8") * x[k]
            acc *= scales.getAt(r * 4, "f32")
        } else if (m.enc === Enc.I16) {
            const base = row * cols * 2
            for (; k < cols4; k += 4) {
                const at = base + 2 * k
                acc += data.getAt(at, "i16") * x[k]
                acc += data.getAt(at + 2, "i16") * x[k + 1]
                acc += data.getAt(at + 4, "i16") * x[k + 2]
                acc += data.getAt(at + 6, "i16") * x[k + 3]
            }
            for (; k < cols; k++)
                acc += data.getAt(base + 2 * k, "i16") * x[k]
            acc *= scales.getAt(r * 4, "f32")
        } else {
            const base = row * cols * 4
            for (; k < cols4; k += 4) {
                const at = base + 4 * k
                acc += data.getAt(at, "f32") * x[k]
                acc += data.getAt(at + 4, "f32") * x[k + 1]
                acc += data.getAt(at + 8, "f32") * x[k + 2]
                acc += data.getAt(at + 12, "f32") * x[k + 3]
            }
            for (; k < cols; k++)
                acc += data.getAt(base + 4 * k, "f32") * x[k]
        }
        if (bias) acc += bias.getAt(r * 4, "f32")
        out[r] = accumulate ? out[r] + acc : acc
    }
}
