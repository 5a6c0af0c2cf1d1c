/**
 * Files dsrnn once accepted although the peers refuse them (issue 12). Each
 * case is decided the peers' way, and the peer's own refusal is checked here
 * too, so the decision stays tied to what ONNX Runtime and TF.js do:
 *
 * - an ONNX attribute the op does not have (a misspelled `hidden_size`), an
 *   opset or IR version outside what dsrnn reads, or a node that does not fit
 *   its declared opset: refused, like ONNX Runtime;
 * - a TF.js manifest weight that no layer reads (a `use_bias: false` layer
 *   whose manifest still holds a bias, or a stray weight): refused, like
 *   tf.loadLayersModel;
 * - CSV cells in hex, binary or octal (`0x10`, `0b101`, `0o17`) and a CSV
 *   whose first line is numbers: refused. pandas.read_csv reads such cells as
 *   text, and a missing header would silently turn the first row into column
 *   names.
 */
import * as tf from "@tensorflow/tfjs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import onnxProto from "onnx-proto"
import * as ort from "onnxruntime-web"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { importOnnxBytes } from "../../src/import/onnx/import-onnx.ts"
import { importTfjs } from "../../src/import/tfjs.ts"
import { modelInputs } from "../../src/io/columns.ts"
import { parseRecords } from "../../src/io/csv.ts"
import { UnsupportedError, UserError } from "../../src/core/errors.ts"
import { type IGraph, attr, buildTorchLikeModel } from "../helpers/onnx-graphs.ts"
import { saveTfjsModel, sequential, setRandomWeights, useCpuBackend } from "../helpers/tfjs-models.ts"

const { onnx } = onnxProto

/** A torch-like opset-17 LSTM file, with its graph and then its ModelProto edited. */
function lstmFile(editGraph?: (g: IGraph) => void, editModel?: (m: onnxProto.onnx.ModelProto) => void): Uint8Array {
    const bytes = buildTorchLikeModel({ cell: "lstm", inputSize: 2, hidden: 3, outputSize: 1, seed: 3, edit: editGraph }).bytes
    const m = onnx.ModelProto.decode(bytes)
    editModel?.(m)
    return onnx.ModelProto.encode(m).finish()
}

async function ortRefuses(bytes: Uint8Array): Promise<string> {
    return ort.InferenceSession.create(bytes).then(
        () => "accepted",
        (e: Error) => e.message
    )
}

function importRefusal(bytes: Uint8Array): UserError {
    try {
        importOnnxBytes(bytes, "m")
    } catch (e) {
        if (e instanceof UserError) return e
        throw e
    }
    throw new Error("the importer accepted the file")
}

describe("ONNX files ONNX Runtime refuses are refused", () => {
    it("control: the unedited file is accepted by both", async () => {
        const bytes = lstmFile()
        expect(await ortRefuses(bytes)).toBe("accepted")
        expect(importOnnxBytes(bytes, "m").layers.map(l => l.type)).toEqual(["lstm", "dense"])
    })

    it("an attribute the op does not have (hiden_size)", async () => {
        const bytes = lstmFile(g => g.node!.find(n => n.opType === "LSTM")!.attribute!.push(attr.int("hiden_size", 3)))
        expect(await ortRefuses(bytes)).not.toBe("accepted")
        const e = importRefusal(bytes)
        expect(e.message).toContain("(LSTM): has attribute \"hiden_size\", which LSTM does not have in opset 17")
        expect(e.message).toContain("hidden_size")
    })

    it("opset 9 and 11 in a file whose Unsqueeze has the opset-13 axes input", async () => {
        for (const version of [9, 11]) {
            const bytes = lstmFile(undefined, m => (m.opsetImport[0].version = version))
            expect(await ortRefuses(bytes)).toMatch(/Unsqueeze/)
            expect(importRefusal(bytes).message).toMatch(new RegExp(`\\(Unsqueeze\\): has 2 inputs, but Unsqueeze takes 1 in opset ${version}`))
        }
    })

    it("opset 999 and IR version 999, exit 2", async () => {
        const opset = lstmFile(undefined, m => (m.opsetImport[0].version = 999))
        const ir = lstmFile(undefined, m => (m.irVersion = 999))
        for (const bytes of [opset, ir]) {
            expect(await ortRefuses(bytes)).not.toBe("accepted")
            expect(importRefusal(bytes)).toBeInstanceOf(UnsupportedError)
        }
        expect(importRefusal(opset).message).toContain("opset 999 is not supported (dsrnn reads opsets 7 to 26)")
        expect(importRefusal(ir).message).toContain("IR version 999 is not supported (dsrnn reads 3 to 13)")
    })
})

describe("TF.js files tf.loadLayersModel refuses are refused", () => {
    let dir: string
    let json: { modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }; weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] }
    let weights: Buffer

    beforeAll(async () => {
        await useCpuBackend()
        dir = await mkdtemp(join(tmpdir(), "dsrnn-peer-"))
        const model = sequential(tf.layers.simpleRNN({ units: 2, inputShape: [null, 2] }), tf.layers.dense({ units: 1 }))
        setRandomWeights(model, 7)
        json = JSON.parse(await readFile(await saveTfjsModel(model, dir), "utf8"))
        weights = await readFile(join(dir, "weights.bin"))
    })

    afterAll(() => rm(dir, { recursive: true, force: true }))

    /** TF.js loading the edited topology and manifest from memory: "accepted" or its error. */
    async function tfjsLoads(edited: typeof json, data: Buffer): Promise<string> {
        const handler = tf.io.fromMemory({ modelTopology: edited.modelTopology, weightSpecs: edited.weightsManifest[0].weights as tf.io.WeightsManifestEntry[], weightData: new Uint8Array(data).buffer })
        return tf.loadLayersModel(handler).then(
            () => "accepted",
            (e: Error) => e.message
        )
    }

    async function ourImport(edited: typeof json, data: Buffer, name: string): Promise<string> {
        const file = join(dir, `${name}.json`)
        const shard = `${name}.bin`
        await writeFile(join(dir, shard), data)
        await writeFile(file, JSON.stringify({ ...edited, weightsManifest: [{ ...edited.weightsManifest[0], paths: [shard] }] }))
        return importTfjs(file).then(
            () => "accepted",
            (e: Error) => (e instanceof UserError ? e.message : `not a UserError: ${e}`)
        )
    }

    it("control: the unedited files are accepted by both", async () => {
        expect(await tfjsLoads(json, weights)).toBe("accepted")
        expect(await ourImport(json, weights, "control")).toBe("accepted")
    })

    it("a Dense layer with use_bias: false whose manifest still holds its bias", async () => {
        const edited = structuredClone(json)
        edited.modelTopology.config.layers.find(l => l.class_name === "Dense")!.config.use_bias = false
        expect(await tfjsLoads(edited, weights)).toContain("dense_Dense1/bias")
        expect(await ourImport(edited, weights, "nobias")).toContain('weight "dense_Dense1/bias" is in the weightsManifest, but no layer reads it')
    })

    it("a manifest weight that no layer uses", async () => {
        const edited = structuredClone(json)
        edited.weightsManifest[0].weights.push({ name: "stray/kernel", shape: [2], dtype: "float32" })
        const data = Buffer.concat([weights, Buffer.alloc(8)])
        expect(await tfjsLoads(edited, data)).toContain("stray/kernel")
        expect(await ourImport(edited, data, "stray")).toContain('weight "stray/kernel" is in the weightsManifest, but no layer reads it')
    })
})

describe("CSV cells are decimal numbers under a header", () => {
    /** The CSV as the rows of a model of two unnamed inputs. */
    const parseCsv = (text: string) => modelInputs(parseRecords(text, "in.csv"), { inputSize: 2 })
    const refusal = (text: string) => {
        try {
            parseCsv(text)
        } catch (e) {
            if (e instanceof UserError) return e.message
            throw e
        }
        return "accepted"
    }

    it("refuses hex, binary and octal cells, and Infinity", () => {
        for (const cell of ["0x10", "0b101", "0o17", "Infinity", "-Infinity", "1_000", "0x1p3"])
            expect(refusal(`a,b\n1,${cell}\n`)).toBe(`in.csv: line 2, column 2 ("b") is "${cell}", not a finite number in decimal notation`)
    })

    it("reads every decimal form: signs, fractions, exponents, leading zeros", () => {
        const { rows } = parseCsv("a,b\n+1.5,-.25\n1e3,2.E-2\n007,-0\n")
        expect(rows).toEqual([[1.5, -0.25], [1000, 0.02], [7, -0]])
    })

    it("refuses a first line of numbers instead of taking it as the header", () => {
        expect(refusal("1,2\n3,4\n")).toBe("in.csv: the first line is numbers, not a header; add a header row naming the columns")
        expect(parseRecords("a,2\n3,4\n", "in.csv").header).toEqual(["a", "2"])
    })
})
