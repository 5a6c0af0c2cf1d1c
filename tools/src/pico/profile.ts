/**
 * Where the emulated Pico's cycles go: every executed instruction's cycles
 * are put on the function its address lies in (the firmware's functions from
 * the ELF, the bootrom's routines by its lookup tables), and on a group.
 *
 * A group is a function's own cycles (double arithmetic, conversions, the
 * VM's opcode functions, other) unless a root group's function is running
 * further up the call stack: then the cycles are that root's. So "Buffer
 * reads" is all a getAt costs (the decode and its conversion included),
 * "Math.*" all a Math builtin costs (newlib's pow and the double routines it
 * calls), "calls/frames" what a call and a return cost (the frame's
 * allocation included, the callee's body not: a builtin called is its own
 * root's or its functions' own). Roots nest by rank: Buffer reads and Math.*
 * inside a call are theirs, the other roots count with the outermost (an
 * allocation inside a call, a frame or an array's push, is the call's). A root
 * is entered at its first instruction and left when the core reaches the
 * return address it was entered with (LR) at the SP it had.
 */
import { type FirmwareFunction, firmwareFunctions } from "./firmware.ts"

/** The groups, in print order; the first ones are roots (counted with all they call). */
export const GROUPS = ["Buffer reads (getAt)", "Math.*", "calls/frames", "arrays/fields", "GC/alloc", "double arithmetic", "conversions", "VM opcodes (dispatch)", "other"] as const
export type Group = (typeof GROUPS)[number]

/** Root groups with their rank: a root of a higher rank running inside another takes the cycles over. */
const ROOTS: [Group, number, RegExp][] = [
    ["Buffer reads (getAt)", 2, /^expr3_load_buffer$/],
    ["Math.*", 2, /^fun\d_Math_/],
    ["calls/frames", 1, /^(stmt\d_call\d|stmt_callN|stmt1_return|devs_fiber_call_function|devs_fiber_return_from_call)$/],
    ["arrays/fields", 1, /^(expr2_index|stmt3_index_set|exprx1?_\w+_field|get_field\w*|prop_Array_length)$/],
    ["GC/alloc", 1, /^(devs_gc\w*|jd_gc_\w+|alloc_block|devs_\w*try_alloc\w*|scan_\w+|mark_\w+)$/],
]

/** A function's own group when no root is running; names are matched without a linker veneer's underscores and suffix. */
const LEAVES: [Group, RegExp][] = [
    ["double arithmetic", /^(rom_d(add|sub|mul|div|cmp\w*|sqrt)|(wrap___)?aeabi_(dadd|dsub|drsub|dmul|ddiv|drdiv|dcmp\w+|cdcmp\w+|cdrcmp\w+)|double_table_shim\w*)$/],
    ["conversions", /^(rom_\w*2\w*|(wrap___)?aeabi_(i2d|ui2d|l2d|ul2d|d2iz|d2uiz|d2lz|d2ulz|f2d|d2f)|devs_value_(from|to)_(double|int)|force_double)$/],
    ["VM opcodes (dispatch)", /^(devs_vm_\w+|devs_fetch_opcode|expr\w+|stmt\w+|pop_arg|devs_ret_\w+|devs_arg_\w+|exec2_\w+)$/],
]

const plainName = (name: string) => name.replace(/^_+/, "").replace(/_veneer$/, "")

function leafGroup(name: string): Group {
    const n = plainName(name)
    return LEAVES.find(([, re]) => re.test(n))?.[0] ?? "other"
}

/** The names of the B1 bootrom's soft-double table entries (pico-sdk pico/bootrom/sf_table.h), 4 bytes apart; "rom_" marks a bootrom routine. */
const DOUBLE_TABLE = "dadd dsub dmul ddiv dcmp_fast dcmp_fast_flags dsqrt double2int double2fix double2uint double2ufix int2double fix2double uint2double ufix2double dcos dsin dtan dsincos dexp dln dcmp datan2 int642double fix642double uint642double ufix642double double2int64 double2fix64 double2uint64 double2ufix64 double2float".split(" ")
const FLOAT_TABLE = "fadd fsub fmul fdiv fcmp_fast fcmp_fast_flags fsqrt float2int float2fix float2uint float2ufix int2float fix2float uint2float ufix2float fcos fsin ftan fsincos fexp fln fcmp fatan2 int642float fix642float uint642float ufix642float float2int64 float2fix64 float2uint64 float2ufix64 float2double".split(" ")
/** The bootrom's function table codes (pico-sdk pico/bootrom.h). */
const ROM_FUNCTIONS: Record<string, string> = { P3: "popcount32", R3: "reverse32", L3: "clz32", T3: "ctz32", MS: "memset", S4: "memset4", MC: "memcpy", C4: "memcpy44", U1: "connect_internal_flash", CX: "flash_exit_xip", RE: "flash_range_erase", RP: "flash_range_program", FC: "flash_flush_cache", CE: "flash_enter_cmd_xip", UB: "reset_to_usb_boot", DT: "debug_trampoline", DE: "debug_trampoline_end", WV: "wait_for_vector" }
const ROM_BYTES = 0x4000

/**
 * The bootrom's routines by its lookup tables: the function table (its
 * address at 0x14) and the soft-float and soft-double tables of the data
 * table (at 0x16, codes "SF" and "SD"). Each has only an entry point, so
 * a routine is taken to run to the next one (bytes 0).
 */
export function bootromRoutines(rom: Uint32Array): FirmwareFunction[] {
    const bytes = new Uint8Array(rom.buffer, rom.byteOffset, rom.byteLength)
    const u16 = (at: number) => bytes[at] | (bytes[at + 1] << 8)
    const u32 = (at: number) => rom[at >> 2]
    const code = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1])
    const found = new Map<number, string>()
    const add = (entry: number, name: string) => {
        const address = entry & ~1
        if ((entry & 1) === 1 && address < ROM_BYTES && !found.has(address)) found.set(address, `rom_${name}`)
    }
    for (let at = u16(0x14); u16(at) !== 0; at += 4) add(u16(at + 2), ROM_FUNCTIONS[code(at)] ?? code(at))
    for (let at = u16(0x16); u16(at) !== 0; at += 4) {
        const names = code(at) === "SD" ? DOUBLE_TABLE : code(at) === "SF" ? FLOAT_TABLE : null
        if (names) names.forEach((name, i) => add(u32(u16(at + 2) + 4 * i), name))
    }
    return [...found].map(([address, name]) => ({ name, address, bytes: 0 }))
}

/** Address ranges indexed by halfword: the bootrom, the flash the firmware takes, the SRAM. */
const REGIONS = [
    { start: 0, end: ROM_BYTES },
    { start: 0x10000000, end: 0x10100000 },
    { start: 0x20000000, end: 0x20042000 },
]

export interface Profile {
    /** Cycles by group, GROUPS order. */
    groups: Float64Array
    /** Cycles by function, as `functions` lists them (the last entry: outside every known function). */
    functions: Float64Array
}

export class Profiler {
    readonly functions: FirmwareFunction[]
    private readonly index: Int32Array[]
    private readonly leafGroup: Uint8Array
    /** A function's root group and its rank (0: not a root). */
    private readonly rootGroup: Uint8Array
    private readonly rootRank: Uint8Array
    /** The roots running, innermost last: group, rank, return address, SP at entry. */
    private readonly roots: { group: number; rank: number; ret: number; sp: number }[] = []
    /** Where cycles go now; null: not counting. */
    current: Profile | null = null

    constructor(rom: Uint32Array, functions = firmwareFunctions()) {
        const all = [...functions, ...bootromRoutines(rom)].sort((a, b) => a.address - b.address)
        this.functions = [...all, { name: "(unknown)", address: 0, bytes: 0 }]
        const unknown = all.length
        this.index = REGIONS.map(r => new Int32Array((r.end - r.start) >> 1).fill(unknown))
        // a function without a size (an assembly routine, a bootrom entry) runs to the next function
        all.forEach((f, i) => {
            const r = REGIONS.findIndex(r => f.address >= r.start && f.address < r.end)
            if (r < 0) return
            const end = f.bytes > 0 ? f.address + f.bytes : (all[i + 1]?.address ?? REGIONS[r].end)
            this.index[r].fill(i, (f.address - REGIONS[r].start) >> 1, (Math.min(end, REGIONS[r].end) - REGIONS[r].start) >> 1)
        })
        this.leafGroup = Uint8Array.from(this.functions, f => GROUPS.indexOf(leafGroup(f.name)))
        const rootOf = (name: string) => ROOTS.find(([, , re]) => re.test(plainName(name)))
        this.rootGroup = Uint8Array.from(this.functions, f => GROUPS.indexOf(rootOf(f.name)?.[0] ?? "other"))
        this.rootRank = Uint8Array.from(this.functions, f => rootOf(f.name)?.[1] ?? 0)
    }

    functionAt(pc: number): number {
        for (let r = 0; r < REGIONS.length; r++) {
            const { start, end } = REGIONS[r]
            if (pc >= start && pc < end) return this.index[r][(pc - start) >> 1]
        }
        return this.functions.length - 1
    }

    /** A fresh profile to count into. */
    static empty(functions: number): Profile {
        return { groups: new Float64Array(GROUPS.length), functions: new Float64Array(functions) }
    }

    /** runOnPico's onInstruction. */
    readonly onInstruction = (pc: number, sp: number, lr: number, cycles: number) => {
        const f = this.functionAt(pc)
        const roots = this.roots
        let top = roots[roots.length - 1]
        if (top && pc === top.ret && sp >= top.sp) {
            roots.pop()
            top = roots[roots.length - 1]
        }
        const rank = this.rootRank[f]
        if (rank > (top?.rank ?? 0) && pc === this.functions[f].address) {
            top = { group: this.rootGroup[f], rank, ret: lr & ~1, sp }
            roots.push(top)
        }
        const profile = this.current
        if (!profile) return
        profile.functions[f] += cycles
        profile.groups[top ? top.group : this.leafGroup[f]] += cycles
    }
}
