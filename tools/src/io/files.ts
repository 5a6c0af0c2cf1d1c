import { closeSync, fchmodSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { UserError } from "../core/errors.ts"

/** Numbers this process's temporary files, so two writes never share one. */
let written = 0

/**
 * Writes a file the user asked for; a bad path is their mistake, reported in
 * one line. The bytes go to a temporary file next to the target, which is
 * then renamed over it: rename is atomic within a folder, so a failed or
 * interrupted write leaves the old file whole, never half of the new one.
 * Through a symlink it replaces the file the link points to, not the link;
 * an existing file keeps its permissions.
 */
export function writeOutputFile(path: string, data: string | Uint8Array): void {
    let target = path
    let mode: number | undefined
    try {
        target = realpathSync(path)
        mode = statSync(target).mode & 0o7777
    } catch {
        // a new file: the path as given, with the default permissions
    }
    const temp = join(dirname(target), `.${basename(target)}.${process.pid}-${++written}.tmp`)
    let fd: number | undefined
    let created = false
    try {
        // "wx": never write into a file that happens to exist already
        fd = openSync(temp, "wx")
        created = true
        // the umask would narrow the old file's permissions
        if (mode !== undefined) fchmodSync(fd, mode)
        const bytes = typeof data === "string" ? Buffer.from(data) : data
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at)
        // on disk before the rename, so a crash cannot leave an empty file in the old one's place
        fsyncSync(fd)
        closeSync(fd)
        fd = undefined
        renameSync(temp, target)
    } catch (e) {
        if (fd !== undefined) closeSync(fd)
        if (created) rmSync(temp, { force: true })
        throw new UserError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
    }
}
