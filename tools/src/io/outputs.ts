/**
 * The check every command that writes a file makes once, before any work:
 * no output may be one of the command's own inputs (by any name: a symlink
 * or a hard link is the same file), and each output's extension must fit what
 * is written there. The write itself is writeOutputFile (files.ts), which
 * never leaves a half-written file.
 */
import { type BigIntStats, accessSync, constants, statSync } from "node:fs"
import { dirname, extname, resolve } from "node:path"
import { UserError } from "../core/errors.ts"

export interface Output {
    /** The path as the user gave it (or the default). */
    path: string
    /** The option that names it, for messages: "--out". */
    flag: string
    /** What the command writes there, for messages: "a DeviceScript module". */
    what: string
    /** Extensions that fit, with the dot, lower case; the first is the one a message suggests. */
    extensions: readonly string[]
    /** The command creates the output's folder itself (mkdir -p), so it need not exist yet. */
    createsFolder?: boolean
}

function stats(path: string): BigIntStats | undefined {
    try {
        // follows symlinks: a link to the input is the input
        return statSync(path, { bigint: true })
    } catch {
        return undefined
    }
}

/** Same device and inode: the same file under any name (a filesystem without inodes reports 0). */
const sameFile = (a: BigIntStats, b: BigIntStats) => a.ino !== 0n && a.dev === b.dev && a.ino === b.ino

/**
 * Refuses, in one line, an output that is an input of the same command, has
 * an extension that does not fit, is a folder, is read-only, or lies in a
 * folder that does not exist (now, rather than after minutes of training).
 * Inputs that do not exist are left to the command to report. `command`
 * names the command in messages.
 */
export function checkOutputs(command: string, outputs: readonly Output[], inputs: readonly (string | undefined)[]): void {
    const existing = inputs.flatMap(p => {
        const s = p === undefined ? undefined : stats(p)
        return s?.isFile() ? [{ path: p!, stats: s }] : []
    })
    for (const out of outputs) {
        const s = stats(out.path)
        // first: an input about to be lost is the mistake to name, whatever its extension
        const input = s && existing.find(i => sameFile(i.stats, s))
        if (input) {
            const how = resolve(input.path) === resolve(out.path) ? "" : " (the same file through a link)"
            throw new UserError(`${out.flag} ${out.path} is the input ${input.path}${how}; ${command} would overwrite it, give another file`)
        }
        if (!out.extensions.includes(extname(out.path).toLowerCase()))
            throw new UserError(`${out.flag} ${out.path}: ${command} writes ${out.what}; give a ${out.extensions.join(" or ")} file`)
        if (!s) {
            // a new file cannot be an input that exists; only its folder can be wrong
            const folder = dirname(resolve(out.path))
            const f = stats(folder)
            if (f && !f.isDirectory()) throw new UserError(`cannot write ${out.path} (ENOTDIR: ${folder} is not a folder)`)
            if (!f && !out.createsFolder) throw new UserError(`cannot write ${out.path} (ENOENT: no folder ${folder})`)
            continue
        }
        if (s.isDirectory()) throw new UserError(`${out.flag} ${out.path} is a folder; give a ${out.extensions[0]} file`)
        try {
            // the rename in writeOutputFile would replace even a read-only file
            accessSync(out.path, constants.W_OK)
        } catch (e) {
            throw new UserError(`cannot write ${out.path} (${(e as NodeJS.ErrnoException).code})`)
        }
    }
}
