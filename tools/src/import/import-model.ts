/**
 * The import stage's front door: picks the importer by what the file is.
 * Every importer returns a validated canonical model.
 */
import { readFileSync } from "node:fs"
import { dirname, extname, resolve } from "node:path"
import { CANONICAL_FORMAT, type CanonicalModel } from "../model/canonical.ts"
import { UnsupportedError, UserError, clip } from "../core/errors.ts"
import { importTfjs } from "./tfjs.ts"
import { readJson } from "../core/json.ts"
import { validateModel } from "../model/validate.ts"

/** A canonical model file (`dsrnn-model` JSON), validated. */
export function importCanonical(path: string): CanonicalModel {
    const json = readJson(path, "the model file") as CanonicalModel
    try {
        return validateModel(json)
    } catch (e) {
        if (e instanceof UserError) e.within(path)
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
    const json = readJson(path, "the model file")
    if (json && typeof json === "object" && (json as { format?: unknown }).format === CANONICAL_FORMAT) return importCanonical(path)
    return importTfjs(path)
}

/**
 * The files importModel reads for `path`: the model and, for a TF.js
 * model.json, its weight shards; what no command may write over. A file that
 * cannot be read or parsed is the importer's to report, so it counts alone.
 */
export function modelFiles(path: string): string[] {
    if (extname(path).toLowerCase() !== ".json") return [path]
    let manifest: unknown
    try {
        manifest = (JSON.parse(readFileSync(path, "utf8")) as { weightsManifest?: unknown })?.weightsManifest
    } catch {
        return [path]
    }
    const shards = Array.isArray(manifest) ? manifest.flatMap(g => (Array.isArray(g?.paths) ? g.paths.filter((p: unknown) => typeof p === "string") : [])) : []
    return [path, ...shards.map((p: string) => resolve(dirname(path), p))]
}
