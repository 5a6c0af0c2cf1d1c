/** Activation functions, applied in place to a slice of a vector. */

export const enum Act {
    Linear = 0,
    Relu = 1,
    Sigmoid = 2,
    /** max(0, min(1, 0.2 x + 0.5)), as TensorFlow.js and Keras 2 define it. */
    HardSigmoid = 3,
    Tanh = 4,
    Softmax = 5,
}

// Math.exp is a bytecode function (a heap-allocated frame per call); Math.pow
// is a C builtin, so e^x is written as pow(E, x) inline.
const E = 2.718281828459045

/**
 * v[from..to) = act(v[from..to)). One call per gate block keeps the call
 * count per step constant; the loops themselves call only C builtins.
 * sigmoid(x) = 1 / (1 + e^-x); tanh(x) = 2 / (1 + e^-2x) - 1, which saturates
 * cleanly: e^-2x overflows to Infinity and the result to -1, never NaN.
 */
export function activate(v: number[], from: number, to: number, act: Act) {
    if (act === Act.Sigmoid) {
        for (let j = from; j < to; j++) v[j] = 1 / (1 + Math.pow(E, -v[j]))
    } else if (act === Act.Tanh) {
        for (let j = from; j < to; j++)
            v[j] = 2 / (1 + Math.pow(E, -2 * v[j])) - 1
    } else if (act === Act.HardSigmoid) {
        for (let j = from; j < to; j++)
            v[j] = Math.max(0, Math.min(1, 0.2 * v[j] + 0.5))
    } else if (act === Act.Relu) {
        for (let j = from; j < to; j++) v[j] = Math.max(0, v[j])
    } else if (act === Act.Softmax) {
        let max = v[from]
        for (let j = from + 1; j < to; j++) max = Math.max(max, v[j])
        let sum = 0
        for (let j = from; j < to; j++) {
            v[j] = Math.pow(E, v[j] - max)
            sum += v[j]
        }
        for (let j = from; j < to; j++) v[j] = v[j] / sum
    }
}
