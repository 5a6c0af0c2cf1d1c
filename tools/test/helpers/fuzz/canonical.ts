/** Fuzz target: dsrnn's own model JSON (`format: "dsrnn-model"`), edited, read through the import front door. */
import fc from "fast-check"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { importModel } from "../../../src/import/import-model.ts"
import type { Activation, CanonicalModel, Layer } from "../../../src/model/canonical.ts"
import { randomMatrix, seededRandom } from "../../../src/model/random.ts"
import { type JsonEdits, editedJson, jsonEdits, nastyValue } from "./json-edits.ts"
import { resolveFeatures } from "../../../src/board/app-program.ts"
import { checkRefusal, expectRefusalOrModel } from "./property.ts"

const ACTIVATIONS: Activation[] = ["linear", "relu", "sigmoid", "hard_sigmoid", "tanh", "softmax"]
const GATES = { rnn: 1, lstm: 4, gru: 3 } as const

const canonicalSpec = fc.record({
    inputs: fc.integer({ min: 1, max: 3 }),
    layers: fc.array(fc.record({ type: fc.constantFrom("rnn" as const, "lstm" as const, "gru" as const, "dense" as const), units: fc.integer({ min: 1, max: 4 }), activation: fc.constantFrom(...ACTIVATIONS), resetAfter: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    normalize: fc.boolean(),
    /** inputNames: the first sensor names, or something else the board app would be given. */
    names: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.constant("sensors") }, { weight: 1, arbitrary: nastyValue }),
    seed: fc.nat(),
})
type CanonicalSpec = typeof canonicalSpec extends fc.Arbitrary<infer T> ? T : never

export function canonicalModel(spec: CanonicalSpec): CanonicalModel {
    const rand = seededRandom(spec.seed)
    const vector = (n: number) => randomMatrix(rand, 1, n, 1)[0]
    let size = spec.inputs
    const layers: Layer[] = spec.layers.map(l => {
        const inputSize = size
        size = l.units
        if (l.type === "dense") return { type: "dense", inputSize, units: l.units, activation: l.activation, W: randomMatrix(rand, l.units, inputSize, 1), b: vector(l.units) }
        const rows = GATES[l.type] * l.units
        const common = { inputSize, units: l.units, activation: l.activation, Wx: randomMatrix(rand, rows, inputSize, 1), Wh: randomMatrix(rand, rows, l.units, 1), bx: vector(rows), bh: vector(rows) }
        if (l.type === "rnn") return { type: "rnn", ...common }
        if (l.type === "lstm") return { type: "lstm", ...common, recurrentActivation: "sigmoid" }
        return { type: "gru", ...common, recurrentActivation: "sigmoid", resetAfter: l.resetAfter }
    })
    const norm = (n: number) => ({ mean: vector(n), std: vector(n).map(v => 0.5 + Math.abs(v)) })
    return {
        format: "dsrnn-model",
        version: 1,
        name: "fuzz",
        inputSize: spec.inputs,
        outputSize: size,
        layers,
        ...(spec.normalize ? { inputNormalization: norm(spec.inputs), outputNormalization: norm(size) } : {}),
        ...(spec.names === null ? {} : { inputNames: spec.names === "sensors" ? ["temperature", "humidity", "pressure"].slice(0, spec.inputs) : (spec.names as string[]) }),
    }
}

export const canonicalCase = fc.record({ spec: canonicalSpec, json: jsonEdits })
type CanonicalCase = typeof canonicalCase extends fc.Arbitrary<infer T> ? T : never

export function runCanonicalCase(dir: string, c: CanonicalCase): Promise<string> {
    const file = join(dir, "dsrnn.json")
    writeFileSync(file, editedJson(canonicalModel(c.spec), c.json as JsonEdits))
    // the board app maps inputNames to sensors: an accepted model's names must map, or be refused in one line
    return expectRefusalOrModel(
        () => importModel(file),
        model => {
            try {
                if (model.inputNames) resolveFeatures(model)
            } catch (e) {
                checkRefusal(e)
            }
        }
    )
}
