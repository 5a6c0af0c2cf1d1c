import type { CanonicalModel } from "./canonical.ts"

/** A small seeded PRNG (mulberry32), so generated weights and test data are reproducible. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0
    return () => {
        a = (a + 0x6d2b79f5) >>> 0
        let t = a
        t = Math.imul(t ^ (t >>> 15), t | 1)
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
}

/** rows x cols matrix with entries uniform in [-scale, scale). */
export function randomMatrix(rand: () => number, rows: number, cols: number, scale: number): number[][] {
    return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (2 * rand() - 1) * scale))
}

/** LSTM(units) + Dense(1) with seeded weights in +-1: the shape the benchmarks and size probes use. */
export function randomLstmModel(inputs: number, units: number, seed: number): CanonicalModel {
    return randomRecurrentModel("lstm", inputs, units, seed)
}

/** One recurrent layer (LSTM, or GRU with reset-after as PyTorch has it) + Dense(1), seeded weights in +-scale. */
export function randomRecurrentModel(cell: "lstm" | "gru", inputs: number, units: number, seed: number, scale = 1): CanonicalModel {
    const r = seededRandom(seed)
    const rows = (cell === "lstm" ? 4 : 3) * units
    const weights = { inputSize: inputs, units, activation: "tanh" as const, recurrentActivation: "sigmoid" as const, Wx: randomMatrix(r, rows, inputs, scale), Wh: randomMatrix(r, rows, units, scale), bx: randomMatrix(r, 1, rows, scale)[0], bh: randomMatrix(r, 1, rows, scale)[0] }
    return {
        format: "dsrnn-model",
        version: 1,
        inputSize: inputs,
        outputSize: 1,
        layers: [
            cell === "lstm" ? { type: "lstm", ...weights } : { type: "gru", ...weights, resetAfter: true },
            { type: "dense", inputSize: units, units: 1, activation: "linear", W: randomMatrix(r, 1, units, scale), b: [0.1] },
        ],
    }
}
