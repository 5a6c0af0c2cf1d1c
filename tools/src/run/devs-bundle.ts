/**
 * `devs bundle` offline: merges a workspace's program into a board's
 * firmware file, the image a board is flashed with. devs looks for the
 * firmware in .devicescript/cache/ and uses it without the network while it
 * is less than a day old, so the file is staged there, fresh.
 */
import { copyFileSync, existsSync, mkdirSync, utimesSync } from "node:fs"
import { extname, join } from "node:path"
import { devs, freeDevsPorts } from "./devs.ts"
import type { Workspace } from "./workspace.ts"
import { UserError } from "../core/errors.ts"

/**
 * Bundles `entry` of `ws` for `boardId` with `firmware`, staged under
 * `cacheName` (the basename of the board's firmware URL); returns the path of
 * the flashable image in the workspace.
 */
export async function devsBundle(ws: Workspace, entry: string, boardId: string, firmware: string, cacheName: string): Promise<string> {
    const cache = join(ws.dir, ".devicescript", "cache")
    mkdirSync(cache, { recursive: true })
    const staged = join(cache, cacheName)
    copyFileSync(firmware, staged)
    const now = new Date()
    utimesSync(staged, now, now)
    const flashFile = join(ws.dir, "bundle" + extname(cacheName))
    // devs bundle starts its own devtools server: on free ports, so bundles and deploys can run side by side
    const { code, output } = await devs(["bundle", entry, "--board", boardId, "--flash-file", flashFile], undefined, ws.dir, await freeDevsPorts())
    if (code !== 0 || !existsSync(flashFile)) {
        const last = output.trim().split("\n").filter(l => l.trim()).slice(-1)[0] ?? ""
        throw new UserError(`devs bundle failed: ${last}`)
    }
    return flashFile
}
