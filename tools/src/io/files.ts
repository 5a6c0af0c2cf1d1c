import { writeFileSync } from "node:fs"
import { UserError } from "../model/errors.ts"

/** Writes a file the user asked for; a bad path is their mistake, reported in one line. */
export function writeOutputFile(path: string, text: string): void {
    try {
        writeFileSync(path, text)
    } catch (e) {
        throw new UserError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
    }
}
