/**
 * A flashable image of the app: the board's DeviceScript firmware (given or
 * cached, never downloaded) plus the built app, by `devs bundle` in the
 * app's workspace.
 */
import { existsSync, readFileSync, statSync } from "node:fs"
import { extname, resolve } from "node:path"
import type { BoardProfile } from "./boards.ts"
import type { PreparedApp } from "./app-build.ts"
import { devsBundle } from "../run/devs-bundle.ts"
import type { Workspace } from "../run/workspace.ts"
import { UserError } from "../core/errors.ts"
import { writeOutputFile } from "../io/files.ts"
import { committedFirmware } from "../pico/firmware.ts"

const DAY_MS = 24 * 3600 * 1000

/** The board's firmware file name; the simulator profile has none, so it cannot be bundled or flashed. */
export function physicalFirmware(board: BoardProfile): string {
    if (!board.firmware) throw new UserError(`${board.id} is not a physical board; use \`dsrnn deploy --simulator\``)
    return board.firmware
}

/**
 * The firmware devs bundle will use: --firmware, a file less than a day old
 * in ./.devicescript/cache/, or the one committed in boards/ (the Pico's,
 * pico/firmware.ts). Otherwise devs would download it, which fails offline:
 * say so. Called before the build, so a missing file costs no build.
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
    const committed = committedFirmware(name)
    if (committed) return committed
    throw new UserError(
        `no DeviceScript firmware for ${board.id}: pass --firmware <${name}> (from https://github.com/microsoft/${board.arch.startsWith("rp2040") ? "devicescript-pico" : "devicescript-esp32"}/releases) or run \`npx devs flash --board ${board.id}\` once online to cache it`
    )
}

/** devs bundle in the workspace with `firmware` (from findFirmware); returns the path of the flashable image. */
export async function bundleApp(p: PreparedApp, ws: Workspace, out: string, firmware: string): Promise<string> {
    const flashFile = await devsBundle(ws, "main.ts", p.board.id, firmware, physicalFirmware(p.board))
    const dest = resolve(out)
    writeOutputFile(dest, readFileSync(flashFile))
    return dest
}
