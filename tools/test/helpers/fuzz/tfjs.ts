/**
 * Fuzz target: TF.js Layers model.json plus its weight shard, as tfjs
 * model.save() and tensorflowjs_converter write them, then edited. A shard
 * outside the model's folder (../outside.bin, and link.bin, a symbolic link to
 * it) holds exactly the bytes a model would need, so reading it would succeed:
 * an accepted model must not have read it.
 */
import fc from "fast-check"
import { existsSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { importModel } from "../../../src/import/import-model.ts"
import { seededRandom } from "../../../src/model/random.ts"
import { type ByteEdits, type JsonEdits, byteEdits, editBytes, editedJson, jsonEdits, sometimes } from "./json-edits.ts"
import { PropertyBroken, expectRefusalOrModel } from "./property.ts"

const GATES = { SimpleRNN: 1, LSTM: 4, GRU: 3 } as const
type Cell = keyof typeof GATES

const tfjsSpec = fc.record({
    inputs: fc.integer({ min: 1, max: 3 }),
    cells: fc.array(fc.record({ cls: fc.constantFrom<Cell>("SimpleRNN", "LSTM", "GRU"), units: fc.integer({ min: 1, max: 4 }), useBias: fc.boolean(), resetAfter: fc.boolean(), hard: fc.boolean() }), { minLength: 1, maxLength: 2 }),
    dense: fc.array(fc.record({ units: fc.integer({ min: 1, max: 3 }), activation: fc.constantFrom("linear", "relu", "sigmoid", "tanh", "softmax"), useBias: fc.boolean() }), { maxLength: 2 }),
    keras: fc.boolean(),
    dropout: fc.boolean(),
    seed: fc.nat(),
})
type TfjsSpec = typeof tfjsSpec extends fc.Arbitrary<infer T> ? T : never

interface Weight {
    name: string
    shape: number[]
}

/** model.json and weights.bin of a valid model described by `spec`. */
function tfjsFiles(spec: TfjsSpec, shardPath: string): { json: Record<string, unknown>; bin: Uint8Array } {
    const rand = seededRandom(spec.seed)
    const layers: unknown[] = []
    const weights: Weight[] = []
    let size = spec.inputs
    const weightName = (layer: string, role: string) => (spec.keras ? `${layer}/${layer}_cell/${role}:0` : `${layer}/${role}`)
    spec.cells.forEach((c, i) => {
        const name = `${c.cls.toLowerCase()}_${i}`
        const rows = GATES[c.cls] * c.units
        const resetAfter = c.cls === "GRU" && c.resetAfter
        layers.push({
            class_name: c.cls,
            config: {
                name,
                units: c.units,
                activation: "tanh",
                ...(c.cls === "SimpleRNN" ? {} : { recurrent_activation: c.hard ? "hard_sigmoid" : "sigmoid" }),
                use_bias: c.useBias,
                return_sequences: i < spec.cells.length - 1,
                ...(c.cls === "GRU" ? { reset_after: resetAfter } : {}),
                ...(i === 0 ? { batch_input_shape: [null, null, spec.inputs] } : {}),
            },
        })
        weights.push({ name: weightName(name, "kernel"), shape: [size, rows] }, { name: weightName(name, "recurrent_kernel"), shape: [c.units, rows] })
        if (c.useBias) weights.push({ name: weightName(name, "bias"), shape: resetAfter ? [2, rows] : [rows] })
        size = c.units
        if (spec.dropout && i === 0) layers.push({ class_name: "Dropout", config: { name: "dropout_1", rate: 0.5 } })
    })
    spec.dense.forEach((d, i) => {
        const name = `dense_${i}`
        layers.push({ class_name: "Dense", config: { name, units: d.units, activation: d.activation, use_bias: d.useBias } })
        weights.push({ name: `${name}/kernel`, shape: [size, d.units] })
        if (d.useBias) weights.push({ name: `${name}/bias`, shape: [d.units] })
        size = d.units
    })
    const count = weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0)
    const bin = new Uint8Array(4 * count)
    const view = new DataView(bin.buffer)
    for (let i = 0; i < count; i++) view.setFloat32(4 * i, 2 * rand() - 1, true)
    const sequential = { class_name: "Sequential", config: { name: "sequential_1", layers } }
    const json = {
        format: "layers-model",
        modelTopology: spec.keras ? { keras_version: "2.15.0", backend: "tensorflow", model_config: sequential } : sequential,
        weightsManifest: [{ paths: [shardPath], weights: weights.map(w => ({ ...w, dtype: "float32" })) }],
    }
    return { json, bin }
}

/** Where the manifest says the shard is: mostly where it is, sometimes out of the folder. */
const shardPath = sometimes(fc.constantFrom("../outside.bin", "link.bin", "/etc/passwd", "/dev/null", ".", "./weights.bin", "sub/../weights.bin", "model.json"), "weights.bin")

export const tfjsCase = fc.record({ spec: tfjsSpec, json: jsonEdits, shard: byteEdits, shardPath, editJson: fc.boolean() })
type TfjsCase = typeof tfjsCase extends fc.Arbitrary<infer T> ? T : never

/** `dir` holds the model; link.bin in it points to outside.bin in its parent. */
export function prepareTfjsDir(dir: string): void {
    if (!existsSync(join(dir, "link.bin"))) symlinkSync(join(dirname(dir), "outside.bin"), join(dir, "link.bin"))
}

function readsOnlyInside(dir: string, manifest: unknown): void {
    const inside = realpathSync(dir)
    for (const group of manifest as { paths: string[] }[])
        for (const p of group.paths) {
            const rel = relative(inside, realpathSync(resolve(dir, p)))
            if (rel.startsWith("..") || rel.startsWith("/")) throw new PropertyBroken(`an accepted model read the shard ${p} outside its folder`)
        }
}

export async function runTfjsCase(dir: string, c: TfjsCase): Promise<string> {
    const { json, bin } = tfjsFiles(c.spec, c.shardPath)
    const text = c.editJson ? editedJson(json, c.json as JsonEdits) : JSON.stringify(json)
    const file = join(dir, "model.json")
    writeFileSync(file, text)
    const shard = editBytes(bin, c.shard as ByteEdits)
    writeFileSync(join(dir, "weights.bin"), shard)
    writeFileSync(join(dirname(dir), "outside.bin"), shard)
    return expectRefusalOrModel(
        () => importModel(file),
        () => readsOnlyInside(dir, (JSON.parse(text) as { weightsManifest: unknown }).weightsManifest)
    )
}
