import { describe, test } from "@devicescript/test"
import { expectStepAndSliced } from "./check"
import { gruCellF32 } from "./fixtures/gru_cell_f32.g"
import { gruCellI8 } from "./fixtures/gru_cell_i8.g"
import { rnnCellF32 } from "./fixtures/rnn_cell_f32.g"
import { rnnCellI8 } from "./fixtures/rnn_cell_i8.g"
import { rnnReluCellI8 } from "./fixtures/rnn_relu_cell_i8.g"

// Specialised code (CompiledCell): the whole step straight-line, i8 layers
// with two rows of W_h per float64 sum. Expected values are the float64
// reference of the same quantized model, h grid included.
const TOL = 1e-9

describe("compiled GRU and RNN cells", () => {
    test("GRU(23) f32, reset after", async () => await expectStepAndSliced(gruCellF32, TOL))
    test("GRU(23) i8, packed sums, an odd unit left over", async () => await expectStepAndSliced(gruCellI8, TOL))
    test("RNN(25) f32", async () => await expectStepAndSliced(rnnCellF32, TOL))
    test("RNN(25) i8, packed sums", async () => await expectStepAndSliced(rnnCellI8, TOL))
    test("RNN(24) relu i8: h unbounded, no grid", async () => await expectStepAndSliced(rnnReluCellI8, TOL))
})
