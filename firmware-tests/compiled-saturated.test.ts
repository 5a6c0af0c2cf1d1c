import { describe, test } from "@devicescript/test"
import { expectStepAndSliced } from "./check"
import { saturatedCellI8 } from "./fixtures/saturated_cell_i8.g"

// Specialised code (CompiledCell): the whole step straight-line, i8 layers
// with two rows of W_h per float64 sum. Expected values are the float64
// reference of the same quantized model, h grid included.
const TOL = 1e-9

describe("compiled cell at the bound of the packed sums", () => {
    test("LSTM(32) i8 with every row sum at the packing bound", async () => await expectStepAndSliced(saturatedCellI8, TOL))
})
