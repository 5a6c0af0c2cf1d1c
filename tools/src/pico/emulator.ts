/**
 * An emulated Raspberry Pi Pico running the DeviceScript firmware: rp2040js
 * (Wokwi's RP2040 emulator) boots a UF2 from reset through the B1 bootrom,
 * one core, USB off, and every console line comes back stamped with the
 * emulated cycle count and the VM opcode count at the moment it was written.
 *
 * Not modelled: the flash (XIP) cache, so a real board is somewhat slower;
 * core 1, which the firmware does not use; Jacdac sensors; flash writes at run
 * time (a program must be bundled into the UF2 beforehand). The run is a
 * pure function of the image: the same UF2 gives the same cycles every time.
 */
import { ConsoleLogger, LogLevel, RP2040 } from "rp2040js"
import { bootromB1, firmwareSymbols } from "./firmware.ts"
import { readUf2 } from "./uf2.ts"

/** The Pico's system clock: 125 MHz, 8 ns a cycle. */
export const PICO_HZ = 125_000_000
const CYCLE_NANOS = 1e9 / PICO_HZ
/** Where the RP2040's flash appears in its address space (XIP). */
export const FLASH_START = 0x10000000
const FLASH_END = 0x11000000
/** The firmware reads ADC3 (VSYS/3) to tell a Pico from a Pico W: full scale says Pico. */
const PICO_PROBE_CHANNEL = 3
const ADC_FULL_SCALE = 4095
/** Waiting (WFI) time a run may spend beyond its cycle limit: the firmware idles 1.1 s after boot, and a program's sleeps add more. */
const IDLE_ALLOWANCE_NANOS = 10e9
/** Instructions between two checks of the limits. */
const BATCH = 100_000
/** A console.log line reaches DMESG as "> text". */
const CONSOLE_PREFIX = /^> ?/

/** rp2040js's default clock, a SimulationClock: time advances only when told to. */
interface SimulationClock {
    readonly nanos: number
    readonly nanosToNextAlarm: number
    tick(deltaNanos: number): void
}

export interface PicoLine {
    text: string
    /** Emulated cycles executed since reset (time spent waiting for an interrupt not counted). */
    cycles: number
    /** VM opcodes executed since reset. */
    opcodes: number
}

/**
 * The VM heap's object kinds by tag (the low 4 bits), as the firmware's
 * devs_gc_tag_name names them (devicescript runtime/devicescript/gc_alloc.c,
 * devs_objects.h): a call frame is an "activation".
 */
const GC_TAG_NAMES = ["null", "free", "bytes", "array", "map", "buffer", "string", "function", "activation", "half_static_map", "short_map", "packet", "string_jmp", "image"]
const GC_TAG_MASK = 0xf

/** One allocation on the VM's heap, as the program asked the firmware's allocator for it. */
export interface PicoAllocation {
    /** What kind of object: "activation" (a call frame), "array", "buffer", "string", ... */
    kind: string
    /** Bytes asked for, the 4-byte header included: a call frame is 24 B + 8 B per slot. */
    bytes: number
}

export interface PicoRunOptions {
    /** Stop as soon as a console line makes this return true. */
    done: (line: string) => boolean
    /** Give up after this many executed cycles (the boot alone takes about 7.5 M). */
    maxCycles: number
    /** Called with each console line as it is written. */
    onLine?: (line: PicoLine) => void
    /** Called with each allocation on the VM's heap, in order with onLine (counted at the allocator's entry, jd_gc_any_try_alloc). */
    onAllocation?: (allocation: PicoAllocation) => void
    /** Called after each executed instruction with its address, SP and LR as they were before it ran, and the cycles it took: a profiler's hook. */
    onInstruction?: (pc: number, sp: number, lr: number, cycles: number) => void
    /** Changes the flash after the image is loaded, before reset (e.g. a program's input literal). */
    patchFlash?: (flash: Uint8Array) => void
}

export interface PicoRunResult {
    /** The program's console lines, "> " removed. */
    lines: PicoLine[]
    /** The firmware's other DMESG lines (boot messages, exceptions). */
    dmesg: PicoLine[]
    cycles: number
    opcodes: number
}

/** Boots `uf2` (firmware with a bundled program) and runs it until `done`; a panic or the cycle limit throws, with the last lines. */
export function runOnPico(uf2: Uint8Array, opts: PicoRunOptions): PicoRunResult {
    const mcu = new RP2040()
    mcu.loadBootrom(bootromB1())
    mcu.logger = new ConsoleLogger(LogLevel.Error)
    for (const { address, data } of readUf2(uf2)) {
        if (address >= FLASH_START && address + data.length <= FLASH_END) mcu.flash.set(data, address - FLASH_START)
    }
    opts.patchFlash?.(mcu.flash)
    mcu.adc.channelValues[PICO_PROBE_CHANNEL] = ADC_FULL_SCALE

    const { jd_dmesg_write, devs_vm_exec_opcode, jd_gc_any_try_alloc } = firmwareSymbols()
    const clock = mcu.clock as unknown as SimulationClock
    const core = mcu.core
    const lines: PicoLine[] = []
    const dmesg: PicoLine[] = []
    let cycles = 0
    let opcodes = 0
    let finished = false
    const onInstruction = opts.onInstruction
    const registers = core.registers
    const fail = (why: string) => {
        const last = [...dmesg, ...lines].sort((a, b) => a.cycles - b.cycles).slice(-3)
        throw new Error(`the emulated Pico ${why}: ${last.map(l => l.text).join(" | ")}`)
    }
    const onDmesg = (at: number, length: number) => {
        let text = ""
        for (let i = 0; i < length; i++) text += String.fromCharCode(mcu.readUint8(at + i))
        const line = { text: text.replace(/\n$/, ""), cycles, opcodes }
        if (!CONSOLE_PREFIX.test(line.text)) {
            dmesg.push(line)
            if (/PANIC/.test(line.text)) fail("panicked")
            return
        }
        line.text = line.text.replace(CONSOLE_PREFIX, "")
        lines.push(line)
        opts.onLine?.(line)
        if (opts.done(line.text)) finished = true
    }

    core.PC = FLASH_START
    while (!finished) {
        for (let i = 0; i < BATCH && !finished; i++) {
            if (core.waiting) {
                const next = clock.nanosToNextAlarm
                clock.tick(next > 0 && Number.isFinite(next) ? next : CYCLE_NANOS)
                continue
            }
            const pc = core.PC
            if (pc === devs_vm_exec_opcode) opcodes++
            else if (pc === jd_dmesg_write) onDmesg(core.registers[0], core.registers[1])
            else if (pc === jd_gc_any_try_alloc && opts.onAllocation) {
                const tag = core.registers[1] & GC_TAG_MASK
                opts.onAllocation({ kind: GC_TAG_NAMES[tag] ?? `tag ${tag}`, bytes: core.registers[2] })
            }
            const sp = registers[13]
            const lr = registers[14]
            const spent = core.executeInstruction()
            onInstruction?.(pc, sp, lr, spent)
            cycles += spent
            clock.tick(spent * CYCLE_NANOS)
        }
        if (finished) break
        if (cycles > opts.maxCycles) fail(`did not finish within ${opts.maxCycles.toLocaleString("en-US")} emulated cycles`)
        if (clock.nanos > opts.maxCycles * CYCLE_NANOS + IDLE_ALLOWANCE_NANOS) fail(`waited more than ${IDLE_ALLOWANCE_NANOS / 1e9} s of emulated time beyond its cycle limit`)
    }
    return { lines, dmesg, cycles, opcodes }
}
