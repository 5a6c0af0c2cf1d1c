/**
 * `simulate --target pico`: run/simulate.ts's program, chunk by chunk, on the
 * DeviceScript firmware of an emulated Pico instead of the host's WASM VM.
 * The program is bundled into the committed firmware once (devs bundle
 * builds it too, so no separate build); for each chunk the emulator boots
 * that UF2 with the chunk's patched image written over the program's place
 * in flash, where the firmware runs it from.
 */
import type { CanonicalModel } from "../model/canonical.ts"
import { macsPerStep } from "../model/canonical.ts"
import type { ChunkRunner, SimulateTarget } from "../run/simulate.ts"
import type { Workspace } from "../run/workspace.ts"
import { FLASH_START, runOnPico } from "./emulator.ts"
import { bundleForPico } from "./program.ts"
import { readUf2 } from "./uf2.ts"

/** The boot and the program's start, with room: measured 7.5 M emulated cycles to the program. */
const BOOT_CYCLES = 30e6
/** Generous bounds of emulated cycles per step and per multiply-add (measured: an i8 LSTM(4) of 116 multiply-adds, 2.4 M a step). */
const CYCLES_PER_STEP = 5e6
const CYCLES_PER_MAC = 100_000

/** Where in flash the built program sits once the UF2 is loaded: it must occur there in one piece, exactly as built. */
function programOffset(uf2: Uint8Array, binary: Uint8Array): number {
    const blocks = readUf2(uf2)
    const flash = Buffer.alloc(Math.max(...blocks.map(b => b.address + b.data.length)) - FLASH_START)
    for (const { address, data } of blocks) flash.set(data, address - FLASH_START)
    const at = flash.indexOf(Buffer.from(binary))
    if (at < 0 || flash.indexOf(Buffer.from(binary), at + 1) >= 0) throw new Error("simulate --target pico: the bundled UF2 does not hold the built program once, in one piece")
    return at
}

/** The emulated Pico as simulate's target. */
export const PICO_SIMULATE: SimulateTarget = {
    // the program and its input literal must fit the ~110 KB a program may take of the Pico's flash (literal code takes ~8 B per multiply-add)
    inputBytes: 16 * 1024,
    async build(ws: Workspace, entry: string, model: CanonicalModel) {
        const uf2 = await bundleForPico(ws, entry)
        const binary = ws.builtBinary()
        const at = programOffset(uf2, binary)
        const runChunk: ChunkRunner = async (image, { done, onLine, rows }) => {
            const maxCycles = BOOT_CYCLES + rows * (CYCLES_PER_STEP + CYCLES_PER_MAC * macsPerStep(model))
            const run = runOnPico(uf2, { done, maxCycles, onLine: l => onLine(l.text), patchFlash: flash => flash.set(image, at) })
            return run.lines.map(l => l.text)
        }
        return { binary, runChunk }
    },
}
