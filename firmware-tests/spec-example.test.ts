import { describe, expect, test } from "@devicescript/test"
import { Act, Dense, Enc, Affine, Matrix, Model, Rnn } from "../src/index"

// Weights of the worked example in docs/spec.md section 1 as f32 hex: 0.5, 0.1 | 0.4, 0.2, 0.3, 0.7 | 1, -1
const WX = hex`0000003f cdcccc3d`
const WH = hex`cdcccc3e cdcc4c3e 9a99993e 3333333f`
const WY = hex`0000803f 000080bf`

function close(actual: number, expected: number, tol: number) {
    if (!(Math.abs(actual - expected) <= tol))
        throw new Error(`expected ${expected} +/- ${tol}, got ${actual}`)
}

describe("worked example of docs/spec.md", () => {
    test("h_1 and y_1", () => {
        const rnn = new Rnn(1, 2, new Affine(new Matrix(WX, null, 2, 1, Enc.F32), new Matrix(WH, null, 2, 2, Enc.F32), null, null), Act.Tanh)
        const model = new Model([rnn, new Dense(2, 1, new Affine(new Matrix(WY, null, 1, 2, Enc.F32), null, null, null), Act.Linear)])
        const y = [0]
        model.step([1], y)
        close(rnn.out[0], 0.46211716, 1e-6)
        close(rnn.out[1], 0.09966799, 1e-6)
        close(y[0], 0.36244916, 1e-6)
    })
})
