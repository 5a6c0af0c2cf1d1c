/**
 * A flashable image of the app: the board's DeviceScript firmware (given or
 * cached, never downloaded) plus the built app, by `devs bundle` in the
 * app's workspace.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync } from "node:fs"
import { extname, join, resolve } from "node:path"
import type { BoardProfile } from "./boards.ts"
import type { PreparedApp } from "./app-build.ts"
import { devs, freeDevsPorts } from "../run/devs.ts"
import type { Workspace } from "../run/workspace.ts"
import { UserError } from "../core/errors.ts"
import { writeOutputFile } from "../io/files.ts"

const DAY_MS = 24 * 3600 * 1000

/** The board's firmware file name; the simulator profile has none, so it cannot be bundled or flashed. */
export function physicalFirmware(board: BoardProfile): string {
    if (!board.firmware) throw new UserError(`${board.id} is not a physical board; use \`dsrnn deploy --simulator\``)
    return board.firmware
}

/**
 * The firmware devs bundle will use: --firmware or a file less than a day old
 * in ./.devicescript/cache/. Otherwise devs would download it, which fails
 * offline: say so. Called before the build, so a missing file costs no build.
 */
export function findFirmware(board: BoardProfile, firmware?: string): string {
    const name = physicalFirmware(board)
    const wantExt = extname(name)
    if (firmware) {
        if (!existsSync(firmware)) throw new UserError(`--firmware ${firmware}: no such file`)
        if (extname(firmware).toLowerCase() !== wantExt) throw new UserError(`--firmware ${firmware}: ${board.id} needs a ${wantExt} firmware file (${name})`)
        return firmware
    }
    const cached = resolve(".devicescript", "cache", name)
    if (existsSync(cached) && Date.now() - statSync(cached).mtimeMs < DAY_MS) return cached
    throw new UserError(
        `no DeviceScript firmware for ${board.id}: pass --firmware <${name}> (from https://github.com/microsoft/${board.arch.startsWith("rp2040") ? "devicescript-pico" : "devicescript-esp32"}/releases) or run \`npx devs flash --board ${board.id}\` once online to cache it`
    )
}

/** Copies the firmware (from findFirmware) into the workspace cache, fresh, where devs bundle looks. */
function stageFirmware(board: BoardProfile, ws: Workspace, firmware: string): void {
    const cache = join(ws.dir, ".devicescript", "cache")
    mkdirSync(cache, { recursive: true })
    const target = join(cache, physicalFirmware(board))
    copyFileSync(firmware, target)
    const now = new Date()
    utimesSync(target, now, now)
}

/** devs bundle in the workspace with `firmware` (from findFirmware); returns the path of the flashable image. */
export async function bundleApp(p: PreparedApp, ws: Workspace, out: string, firmware: string): Promise<string> {
    stageFirmware(p.board, ws, firmware)
    const flashFile = join(ws.dir, "bundle" + extname(physicalFirmware(p.board)))
    // devs bundle starts its own devtools server: on free ports, so bundles and deploys can run side by side
    const { code, output } = await devs(["bundle", "main.ts", "--board", p.board.id, "--flash-file", flashFile], undefined, ws.dir, await freeDevsPorts())
    if (code !== 0 || !existsSync(flashFile)) {
        const last = output.trim().split("\n").filter(l => l.trim()).slice(-1)[0] ?? ""
        throw new UserError(`devs bundle failed: ${last}`)
    }
    const dest = resolve(out)
    writeOutputFile(dest, readFileSync(flashFile))
    return dest
}
