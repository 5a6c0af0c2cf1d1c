/**
 * A DeviceScript program for the emulated Pico: `devs bundle` merges it into
 * the committed firmware, making the image `dsrnn flash` writes to a real
 * board, which the emulator (emulator.ts) boots.
 */
import { readFileSync } from "node:fs"
import { basename } from "node:path"
import { devsBundle } from "../run/devs-bundle.ts"
import type { Workspace } from "../run/workspace.ts"
import { PICO_FIRMWARE } from "./firmware.ts"

/** The devs board the committed firmware is built for. */
const PICO_BOARD = "pico"

/** The UF2 of `entry` (a file of `ws`) bundled into the committed Pico firmware. */
export async function bundleForPico(ws: Workspace, entry: string): Promise<Uint8Array> {
    return readFileSync(await devsBundle(ws, entry, PICO_BOARD, PICO_FIRMWARE, basename(PICO_FIRMWARE)))
}

