/**
 * A CSV written one row at a time, each row on disk (written and fsync'ed)
 * before the next one: a recording stopped by Ctrl-C, a crash or a pulled
 * cable keeps every row so far, and the file is a valid CSV after any row.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs"
import { UserError } from "../core/errors.ts"

export class RowFile {
    private fd: number | undefined

    /** Creates `path` with the header row; an existing file is refused unless `replace`. */
    constructor(
        readonly path: string,
        header: string[],
        replace: boolean
    ) {
        try {
            // "wx" makes the refusal atomic: no other writer can slip in between a check and the open
            this.fd = openSync(path, replace ? "w" : "wx")
        } catch (e) {
            const code = (e as NodeJS.ErrnoException).code
            if (code === "EEXIST") throw new UserError(`${path} exists; pass --force to replace it`)
            throw new UserError(`cannot write ${path} (${code ?? (e as Error).message})`)
        }
        this.append(header)
    }

    append(cells: string[]): void {
        if (this.fd === undefined) throw new Error(`${this.path} is closed`)
        writeSync(this.fd, cells.join(",") + "\n")
        fsyncSync(this.fd)
    }

    close(): void {
        if (this.fd !== undefined) closeSync(this.fd)
        this.fd = undefined
    }
}
