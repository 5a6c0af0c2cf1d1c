/**
 * A DeviceScript program for the emulated Pico: `devs bundle` merges it into
 * the committed firmware, making the image `dsrnn flash` writes to a real
 * board, which the emulator (emulator.ts) boots.
 */
import { readFileSync } from "node:fs"
import { basename } from "node:path"
import { devsBundle } from "../run/devs-bundle.ts"
import { valueSender } from "../run/value-lines.ts"
import type { Workspace } from "../run/workspace.ts"
import { PICO_FIRMWARE } from "./firmware.ts"

/**
 * sendValue/endValues (run/value-lines.ts) for a program on the firmware,
 * whose DMESG cuts a line at 160 characters (jacdac-c's JD_DMESG_LINE_BUFFER;
 * the simulator's cut is 296): 8 values are 128 hex characters and a
 * "Y 1234567 " head.
 */
export const PICO_VALUE_SENDER = valueSender(8)

/** The devs board the committed firmware is built for. */
const PICO_BOARD = "pico"

/** The UF2 of `entry` (a file of `ws`) bundled into the committed Pico firmware. */
export async function bundleForPico(ws: Workspace, entry: string): Promise<Uint8Array> {
    return readFileSync(await devsBundle(ws, entry, PICO_BOARD, PICO_FIRMWARE, basename(PICO_FIRMWARE)))
}

