/**
 * ONNX files written by real PyTorch (torch 1.13 torch.onnx.export, from
 * tools/scripts/gen-pytorch-fixtures.py): nn.RNN (tanh, relu), nn.LSTM and
 * nn.GRU, 2 layers, batch_first or time-first, bias=False, dropout between
 * layers, Linear or Linear + ReLU + Linear heads on out[:, -1] or h_n[-1],
 * models that also return their state, opsets 11, 13, 14 and 17.
 *
 * Two independent oracles for every prefix of the input rows: ONNX Runtime
 * running the file, and PyTorch's own outputs saved by the generator. Both
 * compute in float32, the reference in float64 from float32 weights, so they
 * agree to about 1e-6; 1e-5 leaves room for stacked layers.
 */
import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as ort from "onnxruntime-web"
import { describe, expect, it } from "vitest"
import { importOnnx } from "../../src/import/onnx/import-onnx.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { runOrt } from "../helpers/ort.ts"

const DIR = fileURLToPath(new URL("../fixtures/pytorch/", import.meta.url))
const TOLERANCE = 1e-5

interface Fixture {
    model: string
    opset: number
    batchFirst: boolean
    outputs: number
    input: number[][]
    torchPrefixOutputs: number[][]
}

const fixtures: [string, Fixture][] = readdirSync(DIR)
    .filter(f => f.endsWith(".json"))
    .sort()
    .map(f => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(DIR, f), "utf8"))])

function maxDifference(a: number[][], b: number[][]): number {
    expect(a.map(r => r.length)).toEqual(b.map(r => r.length))
    return Math.max(...a.flatMap((row, t) => row.map((v, j) => Math.abs(v - b[t][j]))))
}

describe("ONNX files written by PyTorch", () => {
    it("cover every cell, opset and output pattern the generator promises", () => {
        const names = fixtures.map(([n]) => n).join(" ")
        for (const part of ["rnn_tanh", "rnn_relu", "lstm", "gru", "2layer", "nobias", "hn", "returns_state", "timefirst"]) expect(names).toContain(part)
        expect(new Set(fixtures.map(([, f]) => f.opset))).toEqual(new Set([11, 13, 14, 17]))
    })

    it.each(fixtures)("%s: importer + float64 reference = ONNX Runtime = PyTorch, after every prefix", async (name, f) => {
        const bytes = readFileSync(join(DIR, f.model))
        const model = importOnnx(join(DIR, f.model))
        expect(model.outputSize).toBe(f.outputs)
        const ours = new ReferenceModel(model).run(f.input)
        const session = await ort.InferenceSession.create(bytes)
        const ortPrefixes: number[][] = []
        for (let t = 1; t <= f.input.length; t++) {
            const steps = await runOrt(session, f.input.slice(0, t), f.batchFirst, f.outputs)
            ortPrefixes.push(steps[steps.length - 1])
        }
        expect(maxDifference(ours, ortPrefixes), `${name} vs ONNX Runtime`).toBeLessThan(TOLERANCE)
        expect(maxDifference(ours, f.torchPrefixOutputs), `${name} vs PyTorch`).toBeLessThan(TOLERANCE)
        // the outputs move with the input, so a model ignoring it could not pass
        expect(Math.max(...ours.flat()) - Math.min(...ours.flat())).toBeGreaterThan(0.01)
    })
})
