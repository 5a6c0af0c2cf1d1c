import { describe, test } from "@devicescript/test"
import { expectSequence } from "./check"
import { lstmF32 } from "./fixtures/lstm_f32.g"
import { lstmI16 } from "./fixtures/lstm_i16.g"
import { lstmI8 } from "./fixtures/lstm_i8.g"
import { lstmHardF32 } from "./fixtures/lstm_hard_f32.g"
import { gruAfterF32 } from "./fixtures/gru_after_f32.g"
import { gruAfterI16 } from "./fixtures/gru_after_i16.g"
import { gruAfterI8 } from "./fixtures/gru_after_i8.g"
import { gruBeforeF32 } from "./fixtures/gru_before_f32.g"
import { gruBeforeI16 } from "./fixtures/gru_before_i16.g"
import { gruBeforeI8 } from "./fixtures/gru_before_i8.g"
import { rnnF32 } from "./fixtures/rnn_f32.g"
import { rnnI16 } from "./fixtures/rnn_i16.g"
import { rnnI8 } from "./fixtures/rnn_i8.g"
import { rnnReluF32 } from "./fixtures/rnn_relu_f32.g"

// Expected values are the float64 reference run on the same quantized
// weights, so the only differences left are the device's summation order,
// the per-row scale multiply and its pow-based sigmoid/tanh: all ~1e-15.
// The error quantization itself adds is measured on the host (docs/accuracy.md).
const TOL = 1e-9

describe("LSTM, 3 inputs, 4 units, sigmoid/tanh, dense head: 12 steps", () => {
    test("f32 weights", async () => await expectSequence(lstmF32, TOL))
    test("i16 weights", async () => await expectSequence(lstmI16, TOL))
    test("i8 weights", async () => await expectSequence(lstmI8, TOL))
    test("hard-sigmoid recurrent activation", async () =>
        await expectSequence(lstmHardF32, TOL))
})

describe("GRU, reset after (Keras reset_after, PyTorch)", () => {
    test("f32 weights", async () => await expectSequence(gruAfterF32, TOL))
    test("i16 weights", async () => await expectSequence(gruAfterI16, TOL))
    test("i8 weights", async () => await expectSequence(gruAfterI8, TOL))
})

describe("GRU, reset before", () => {
    test("f32 weights", async () => await expectSequence(gruBeforeF32, TOL))
    test("i16 weights", async () => await expectSequence(gruBeforeI16, TOL))
    test("i8 weights", async () => await expectSequence(gruBeforeI8, TOL))
})

describe("Elman RNN", () => {
    test("tanh, f32 weights", async () => await expectSequence(rnnF32, TOL))
    test("tanh, i16 weights", async () => await expectSequence(rnnI16, TOL))
    test("tanh, i8 weights", async () => await expectSequence(rnnI8, TOL))
    test("relu", async () => await expectSequence(rnnReluF32, TOL))
})
