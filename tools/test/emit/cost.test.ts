/**
 * The compiler's opcode figure against the VM's own count (the watchdog,
 * tools/src/run/opcodes.ts): never below it, so a step the device is told
 * fits does fit, and not far above it, so the figure is worth having.
 */
import { describe, expect, test } from "vitest"
import type { CanonicalModel, Layer } from "../../src/model/canonical.ts"
import { type LayerPath, planModel } from "../../src/emit/plan.ts"
import { randomLstmModel, randomMatrix, seededRandom } from "../../src/model/random.ts"
import type { Encoding } from "../../src/model/quantize.ts"
import { countStepOpcodes } from "../../src/run/opcodes.ts"

function recurrent(type: "gru" | "rnn", inputs: number, units: number, outputs: number, seed: number, resetAfter = true): CanonicalModel {
    const r = seededRandom(seed)
    const rows = (type === "gru" ? 3 : 1) * units
    const cell = { inputSize: inputs, units, activation: "tanh" as const, Wx: randomMatrix(r, rows, inputs, 1), Wh: randomMatrix(r, rows, units, 1), bx: randomMatrix(r, 1, rows, 1)[0], bh: randomMatrix(r, 1, rows, 1)[0] }
    const layer: Layer = type === "gru" ? { type, ...cell, recurrentActivation: "sigmoid", resetAfter } : { type, ...cell }
    return {
        format: "dsrnn-model",
        version: 1,
        inputSize: inputs,
        outputSize: outputs,
        layers: [layer, { type: "dense", inputSize: units, units: outputs, activation: "linear", W: randomMatrix(r, outputs, units, 1), b: randomMatrix(r, 1, outputs, 1)[0] }],
    }
}

const cases: { name: string; model: CanonicalModel; encoding: Encoding; paths: LayerPath | LayerPath[] }[] = [
    { name: "LSTM(16) i8 specialised", model: randomLstmModel(3, 16, 1), encoding: "i8", paths: "literal-code" },
    { name: "LSTM(8) i8 flash", model: randomLstmModel(3, 8, 2), encoding: "i8", paths: "flash-matrices" },
    { name: "RNN(16) + Dense(3) f32 specialised", model: recurrent("rnn", 2, 16, 3, 3), encoding: "f32", paths: "literal-code" },
    { name: "GRU(8) i16 flash", model: recurrent("gru", 3, 8, 1, 4), encoding: "i16", paths: "flash-matrices" },
    { name: "GRU(16) i8 specialised", model: recurrent("gru", 3, 16, 1, 5), encoding: "i8", paths: "literal-code" },
    { name: "LSTM(12), 8 inputs, i8 specialised", model: randomLstmModel(8, 12, 6), encoding: "i8", paths: "literal-code" },
    { name: "GRU(12) reset before, i8 specialised", model: recurrent("gru", 3, 12, 1, 7, false), encoding: "i8", paths: "literal-code" },
    { name: "LSTM(24) i8 unrolled", model: randomLstmModel(3, 24, 6), encoding: "i8", paths: "unrolled-flash" },
    { name: "GRU(12) f32 unrolled + Dense(2) specialised", model: recurrent("gru", 4, 12, 2, 7), encoding: "f32", paths: ["unrolled-flash", "literal-code"] },
]

describe("opcodes per step: the compiler's figure against the watchdog's count", () => {
    for (const c of cases)
        test(c.name, async () => {
            const plan = planModel(c.model, c.encoding, c.paths)
            const counted = await countStepOpcodes(plan)
            const estimate = plan.opcodes
            console.log(`${c.name}: counted ${counted}, estimate ${estimate} (${(estimate / counted).toFixed(2)}x)`)
            expect(counted).toBeGreaterThan(500)
            expect(estimate).toBeGreaterThanOrEqual(counted)
            expect(estimate).toBeLessThan(1.3 * counted)
        }, 120_000)
})
