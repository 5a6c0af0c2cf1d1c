/**
 * The import stage's front door: picks the importer by what the file is.
 * Every importer returns a validated canonical model.
 */
import { readFileSync } from "node:fs"
import { extname } from "node:path"
import { CANONICAL_FORMAT, type CanonicalModel } from "../model/canonical.ts"
import { UnsupportedError, UserError } from "../model/errors.ts"
import { importTfjs } from "./tfjs.ts"
import { validateModel } from "../model/validate.ts"

function readJson(path: string): unknown {
    let text: string
    try {
        text = readFileSync(path, "utf8")
    } catch (e) {
        throw new UserError(`${path}: cannot read the model file (${(e as NodeJS.ErrnoException).code ?? e})`)
    }
    try {
        return JSON.parse(text)
    } catch (e) {
        throw new UserError(`${path}: not valid JSON (${(e as Error).message})`)
    }
}

/** A canonical model file (`dsrnn-model` JSON), validated. */
export function importCanonical(path: string): CanonicalModel {
    const json = readJson(path) as CanonicalModel
    try {
        return validateModel(json)
    } catch (e) {
        if (e instanceof UserError) e.message = `${path}: ${e.message}`
        throw e
    }
}

/**
 * The writer for importCanonical: the model's JSON text, validated first so
 * that no command writes a file another command would refuse. Weights keep
 * full float64 precision (JSON numbers round-trip exactly).
 */
export function canonicalJson(model: CanonicalModel): string {
    return JSON.stringify(validateModel(model)) + "\n"
}

export async function importModel(path: string): Promise<CanonicalModel> {
    const ext = extname(path).toLowerCase()
    // Loaded on demand: the protobuf decoder is most of the CLI's start-up time.
    if (ext === ".onnx") return (await import("./onnx/import-onnx.ts")).importOnnx(path)
    if (ext !== ".json")
        throw new UnsupportedError(`${path}: unknown model format; give a TF.js model.json, an .onnx file or a dsrnn model .json`)
    const json = readJson(path)
    if (json && typeof json === "object" && (json as { format?: unknown }).format === CANONICAL_FORMAT) return importCanonical(path)
    return importTfjs(path)
}
