import { CANONICAL_FORMAT, CANONICAL_VERSION, type CanonicalModel } from "../../src/model/canonical.ts"

/** y = x: a model that repeats the current value of its one input "y", like persistence. */
export const copyModel = (horizon: number, period?: number): CanonicalModel => ({
    format: CANONICAL_FORMAT,
    version: CANONICAL_VERSION,
    inputSize: 1,
    outputSize: 1,
    layers: [{ type: "dense", inputSize: 1, units: 1, activation: "linear", W: [[1]], b: [0] }],
    inputNames: ["y"],
    outputNames: ["y"],
    horizon,
    ...(period ? { period } : {}),
})
