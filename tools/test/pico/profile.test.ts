/**
 * The profiler's attribution (tools/src/pico/profile.ts), without emulation:
 * the function map against the addresses the emulator hooks (firmware-symbols.json,
 * read from the ELF by nm, the map by readelf), the bootrom's tables, and
 * the groups of a hand-made instruction trace.
 */
import { describe, expect, test } from "vitest"
import { bootromB1, firmwareSymbols } from "../../src/pico/firmware.ts"
import { GROUPS, Profiler, bootromRoutines } from "../../src/pico/profile.ts"

const profiler = new Profiler(bootromB1())
const named = (name: string) => {
    const f = profiler.functions.find(f => f.name === name)
    if (!f) throw new Error(`no function ${name}`)
    return f
}
const nameAt = (pc: number) => profiler.functions[profiler.functionAt(pc)].name

describe("the Pico profiler", () => {
    test("the function map names the addresses the emulator hooks, start and inside", () => {
        for (const [name, address] of Object.entries(firmwareSymbols())) {
            expect(nameAt(address)).toBe(name)
            expect(nameAt(address + 4)).toBe(name)
        }
    })

    test("the bootrom's soft-double and soft-float tables name distinct routines in the bootrom", () => {
        const rom = bootromRoutines(bootromB1())
        const at = (name: string) => rom.find(r => r.name === name)?.address
        for (const name of ["rom_dadd", "rom_dmul", "rom_ddiv", "rom_int2double", "rom_double2int", "rom_fadd", "rom_memcpy"]) {
            expect(at(name), name).toBeGreaterThan(0)
            expect(at(name)!, name).toBeLessThan(0x4000)
        }
        expect(new Set([at("rom_dadd"), at("rom_dmul"), at("rom_fadd")]).size).toBe(3)
        expect(nameAt(at("rom_dmul")! + 2)).toBe("rom_dmul")
    })

    test("a trace: a getAt's routines are Buffer reads until it returns, then a dmul is double arithmetic", () => {
        const load = named("expr3_load_buffer").address
        const dmul = named("rom_dmul").address
        const caller = named("devs_vm_exec_opcode").address + 8
        profiler.current = { groups: new Float64Array(GROUPS.length), functions: new Float64Array(profiler.functions.length) }
        profiler.onInstruction(caller, 0x20040000, 0, 1) // the VM's own: 1 cycle
        profiler.onInstruction(load, 0x20040000, caller + 5, 2) // the getAt entered, returning to caller + 4
        profiler.onInstruction(dmul, 0x2003ff00, load + 9, 4) // a routine it calls
        profiler.onInstruction(caller + 4, 0x20040000, 0, 8) // back in the VM
        profiler.onInstruction(dmul, 0x20040000, caller + 9, 16)
        const g = (name: (typeof GROUPS)[number]) => profiler.current!.groups[GROUPS.indexOf(name)]
        expect(g("Buffer reads (getAt)")).toBe(6)
        expect(g("VM opcodes (dispatch)")).toBe(9)
        expect(g("double arithmetic")).toBe(16)
        profiler.current = null
    })
})
