import { describe, test } from "@devicescript/test"
import { expectStepAndSliced } from "./check"
import { lstmCellF32 } from "./fixtures/lstm_cell_f32.g"
import { lstmCellI8 } from "./fixtures/lstm_cell_i8.g"
import { lstmHardCellI8 } from "./fixtures/lstm_hard_cell_i8.g"

// Specialised code (CompiledCell): the whole step straight-line, i8 layers
// with two rows of W_h per float64 sum. Expected values are the float64
// reference of the same quantized model, h grid included.
const TOL = 1e-9

describe("compiled LSTM cells", () => {
    test("LSTM(24) f32", async () => await expectStepAndSliced(lstmCellF32, TOL))
    test("LSTM(24) i8, packed sums", async () => await expectStepAndSliced(lstmCellI8, TOL))
    test("LSTM(24) i8, hard-sigmoid gates", async () => await expectStepAndSliced(lstmHardCellI8, TOL))
})
