/** Weight matrices that stay in flash, and the one product the cells need. */

export const enum Enc {
    F32 = 0,
    I16 = 1,
    I8 = 2,
}

/**
 * A row-major weight matrix in a read-only Buffer (a `hex` literal, so it
 * stays in flash). Integer encodings carry one f32 scale per row: weight
 * (r, k) = q(r, k) * scale(r).
 */
export class Matrix {
    constructor(
        public data: Buffer,
        public scales: Buffer,
        public rows: number,
        public cols: number,
        public enc: Enc
    ) {
        const width = enc === Enc.F32 ? 4 : enc === Enc.I16 ? 2 : 1
        if (data.length !== rows * cols * width)
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
    const data = m.data
    const scales = m.scales
    for (let r = row0; r < row1; r++) {
        let acc = 0
        let k = 0
        if (m.enc === Enc.I8) {
            const base = r * cols
            for (; k < cols; k++) acc += data.getAt(base + k, "i8") * x[k]
            acc *= scales.getAt(r * 4, "f32")
        } else if (m.enc === Enc.I16) {
            const base = r * cols * 2
            for (; k < cols; k++)
                acc += data.getAt(base + 2 * k, "i16") * x[k]
            acc *= scales.getAt(r * 4, "f32")
        } else {
            const base = r * cols * 4
            for (; k < cols; k++)
                acc += data.getAt(base + 4 * k, "f32") * x[k]
        }
        if (bias) acc += bias.getAt(r * 4, "f32")
        out[r] = accumulate ? out[r] + acc : acc
    }
}
