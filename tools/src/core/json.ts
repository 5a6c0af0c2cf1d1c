/** Reads a JSON file from the user or the package; a missing file or bad JSON is a one-line UserError. */
import { readFileSync } from "node:fs"
import { UserError, clip } from "./errors.ts"

/** The parsed JSON of `path`; `what` names the file in the error ("the model file"). */
export function readJson(path: string, what = "the file"): unknown {
    let text: string
    try {
        text = readFileSync(path, "utf8")
    } catch (e) {
        throw new UserError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? clip(String(e), 120)})`)
    }
    try {
        return JSON.parse(text)
    } catch (e) {
        throw new UserError(`${path}: not valid JSON (${clip((e as Error).message, 120)})`)
    }
}
