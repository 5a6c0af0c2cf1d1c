/**
 * The Raspberry Pi Pico firmware committed in boards/pico/ (rebuilt by
 * tools/scripts/build-pico-firmware.sh; sources and licences in
 * boards/pico/README.md): the DeviceScript runtime's UF2, the addresses of
 * the functions the emulator hooks, and the RP2040 bootrom. Read from the
 * package, so tests, CI and users need neither the network nor a toolchain.
 */
import { readFileSync } from "node:fs"
import { basename, join } from "node:path"
import { gunzipSync } from "node:zlib"
import { PACKAGE_ROOT } from "../run/paths.ts"

export const PICO_DIR = join(PACKAGE_ROOT, "boards", "pico")

/** The DeviceScript runtime for a plain Pico, board config included; named as boards.json's pico firmware, which `devs bundle` looks for. */
export const PICO_FIRMWARE = join(PICO_DIR, "devicescript-rp2040-pico.uf2")

/** The committed firmware file named `name` (a board's firmware in boards.json), if the tree has it. */
export function committedFirmware(name: string): string | undefined {
    return name === basename(PICO_FIRMWARE) ? PICO_FIRMWARE : undefined
}

/** Functions of the firmware the emulator stops at, by address. */
export interface FirmwareSymbols {
    /** Every DMESG line (console.log included) goes through it: r0 = text, r1 = length. */
    jd_dmesg_write: number
    /** Called once per VM opcode. */
    devs_vm_exec_opcode: number
    /** Every allocation on the VM's heap goes through it (devicescript runtime/devicescript/gc_alloc.c): r1 = tag, r2 = bytes. */
    jd_gc_any_try_alloc: number
}

export function firmwareSymbols(): FirmwareSymbols {
    const { symbols } = JSON.parse(readFileSync(join(PICO_DIR, "firmware-symbols.json"), "utf8")) as { symbols: Record<keyof FirmwareSymbols, string> }
    return {
        jd_dmesg_write: Number(symbols.jd_dmesg_write),
        devs_vm_exec_opcode: Number(symbols.devs_vm_exec_opcode),
        jd_gc_any_try_alloc: Number(symbols.jd_gc_any_try_alloc),
    }
}

/** A function of the firmware (or a bootrom routine): where it starts and its bytes (0: not known, it runs to the next one). */
export interface FirmwareFunction {
    name: string
    address: number
    bytes: number
}

/** Every function of the firmware's ELF, by address (firmware-functions.json.gz), for the profiler. */
export function firmwareFunctions(): FirmwareFunction[] {
    const { functions } = JSON.parse(gunzipSync(readFileSync(join(PICO_DIR, "firmware-functions.json.gz"))).toString("utf8")) as { functions: [string, number, number][] }
    return functions.map(([name, address, bytes]) => ({ name, address, bytes }))
}

/** The RP2040's B1 bootrom as 32-bit words: pico-sdk's double-precision routines run from it. */
export function bootromB1(): Uint32Array {
    const bytes = readFileSync(join(PICO_DIR, "bootrom-b1.bin"))
    const words = new Uint32Array(bytes.length / 4)
    for (let i = 0; i < words.length; i++) words[i] = bytes.readUInt32LE(4 * i)
    return words
}
