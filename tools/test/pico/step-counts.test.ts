/**
 * Allocations and cycles per step, counted on the DeviceScript firmware in
 * the emulated Pico: firmware-tests fixtures (an f32 RNN, an i8 LSTM, an i8
 * GRU, reset before) and a Forecaster with every kind of derived input,
 * stepped between marker lines.
 *
 * Allocations: the emulator stops at the firmware's allocator
 * (jd_gc_any_try_alloc), so every object the VM puts on its heap is seen,
 * with its kind and size. A step must allocate exactly the call frames of
 * the functions it calls, in call order, and nothing else: each frame is
 * 24 B + 8 B per slot, the slots as the compiler lists them in
 * bytecode-dbg.json. The call lists below are read off src/ by hand, so a
 * step that gains a call, or allocates an array, a string or a closure,
 * fails. tools/test/emit/disasm.test.ts is the static proof that the step
 * path has no allocating instruction.
 *
 * Cycles: emulated cycles per step, held to committed figures (see
 * CYCLES_TOLERANCE). About 10-20 s, most of it the bundle and the emulation.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, test } from "vitest"
import { type PicoAllocation, type PicoLine, runOnPico } from "../../src/pico/emulator.ts"
import { bundleForPico } from "../../src/pico/program.ts"
import { Workspace } from "../../src/run/workspace.ts"
import { fixtureImports, writeFixtures } from "../helpers/pico-fixtures.ts"

/** Steps per model: the first is counted too, and later ones show nothing is allocated once and kept. */
const STEPS = 4

const FIXTURES = [
    { file: "rnn_f32", name: "rnnF32" },
    { file: "lstm_i8", name: "lstmI8" },
    { file: "gru_before_i8", name: "gruBeforeI8" },
]

/** Marker lines: a window of counting opens at OPEN and closes at the next CLOSE. */
const OPEN = "["
const CLOSE = "]"

// The model typed, not any: the compiler drops the methods it cannot see called.
// Before each window, a buffer larger than the collection threshold (16 KB,
// a quarter of the heap) and one more allocation make the collection run
// there, outside the window, so none runs inside one and adds its cycles.
const program = `import * as ds from "@devicescript/core"
import { Act, Affine, Dense, Derivation, Enc, Forecaster, Matrix, Model, zeros } from "./lib/index"
${fixtureImports(FIXTURES)}
import { Fixture, readRow } from "./fixture-rows"

function collect() {
    Buffer.alloc(16500)
    Buffer.alloc(0)
}

function oneSlot(i: number) {
    return i
}

function steps(name: string, f: Fixture) {
    console.log(name)
    const m = f.model
    const x = zeros(m.inputSize)
    const y = zeros(m.outputSize)
    m.reset()
    for (let t = 0; t < ${STEPS}; t++) {
        readRow(f, t, x)
        collect()
        console.log("${OPEN}")
        m.step(x, y)
        console.log("${CLOSE}")
    }
}

// a dense model of five inputs: one reading, its change, its value 2 rows back, the day's phase (sin, cos)
const derived = new Derivation({ change: [0], season: [0], depth: 2, seasonChange: null, lag: 0, cycleMs: [86400000], cycleOffsetMs: [0], rowMs: 3600000 }, 5)
const w = Buffer.alloc(4 * 5)
for (let k = 0; k < 5; k++) w.setAt(4 * k, "f32", 0.1 * (k + 1))
const dense = new Model([new Dense(5, 1, new Affine(new Matrix(w, null, 1, 5, Enc.F32), null, Buffer.alloc(4), null), Act.Linear)])
const scaling = { inputMean: [1, 0, 1, 0, 0], inputStd: [2, 1, 2, 1, 1], outputMean: [0.5], outputStd: [3], residual: [0], derived }
const forecaster = new Forecaster(dense, scaling, false)
forecaster.setTime(1709272800000)
const reading = [0]

collect()
console.log("empty")
console.log("${OPEN}")
console.log("${CLOSE}")
collect()
console.log("three calls")
console.log("${OPEN}")
oneSlot(oneSlot(oneSlot(1)))
console.log("${CLOSE}")
${FIXTURES.map(f => `steps("${f.file}", ${f.name})`).join("\n")}
console.log("forecaster")
for (let t = 0; t < ${STEPS}; t++) {
    reading[0] = 20 + t
    collect()
    console.log("${OPEN}")
    await forecaster.step(reading)
    console.log("${CLOSE}")
}
console.log("DONE")
`

/** What the emulator saw between an OPEN line and its CLOSE line. */
interface Window {
    allocations: PicoAllocation[]
    cycles: number
    opcodes: number
}

/** The windows of each section (the line before them names it), in order. */
function windowsBySection(events: ({ line: PicoLine } | { allocation: PicoAllocation })[]): Map<string, Window[]> {
    const sections = new Map<string, Window[]>()
    let section: Window[] = []
    let open: { line: PicoLine; allocations: PicoAllocation[] } | null = null
    for (const e of events) {
        if ("allocation" in e) {
            open?.allocations.push(e.allocation)
            continue
        }
        const { line } = e
        if (line.text === OPEN) open = { line, allocations: [] }
        else if (line.text === CLOSE) {
            section.push({ allocations: open!.allocations, cycles: line.cycles - open!.line.cycles, opcodes: line.opcodes - open!.line.opcodes })
            open = null
        } else sections.set(line.text, (section = []))
    }
    return sections
}

/**
 * The compiler's slot count per function, keyed "file.ts name" (the file of
 * src/ it is in). A function's location is an offset into the sources laid
 * end to end in their index order.
 */
function slotsByFunction(dbg: { functions: { name: string; location: [number, number]; slots: unknown[] }[]; sources: { path: string; index: number; length: number }[] }) {
    const files: { path: string; start: number; end: number }[] = []
    let at = 0
    for (const s of [...dbg.sources].sort((a, b) => a.index - b.index)) files.push({ path: s.path, start: at, end: (at += s.length) })
    const slots = new Map<string, number>()
    for (const f of dbg.functions) {
        const source = files.find(s => f.location[0] >= s.start && f.location[0] < s.end)
        const match = /^lib\/(\w+\.ts)$/.exec(source?.path ?? "")
        if (!match) continue
        const key = `${match[1]} ${f.name}`
        if (slots.has(key) && slots.get(key) !== f.slots.length) throw new Error(`two functions ${key} with different slots`)
        slots.set(key, f.slots.length)
    }
    return slots
}

/** A call frame as the firmware allocates it (devicescript fibers.c: devs_activation_t, 24 B on a 32-bit chip, and one 8-byte value per slot). */
const frame = (slots: number): PicoAllocation => ({ kind: "activation", bytes: 24 + 8 * slots })

// The calls of one step, in order, each by the file of src/ it is in.
const MODEL_STEP = ["model.ts step", "model.ts checkIo"]
const AFFINE = (matrices: number) => ["layer.ts apply", ...Array<string>(matrices).fill("matrix.ts matVec")]
const DENSE = ["dense.ts project", ...AFFINE(1), "dense.ts update", "activation.ts activate"]
const CALLS: Record<string, string[]> = {
    rnn_f32: [...MODEL_STEP, "rnn.ts project", ...AFFINE(2), "rnn.ts update", "activation.ts activate", ...DENSE],
    // hiddenBits 16: W_h multiplies h on its grid (onGrid); the cell update activates four blocks
    lstm_i8: [...MODEL_STEP, "lstm.ts project", "layer.ts onGrid", ...AFFINE(2), "lstm.ts update", ...Array<string>(4).fill("activation.ts activate"), ...DENSE],
    // reset before: stage 0 (z, r: W_x x and W_h h), stage 1 (n: W_h (r * h))
    gru_before_i8: [
        ...MODEL_STEP,
        ...["gru.ts project", "gru.ts apply", "matrix.ts matVec", "matrix.ts matVec", "gru.ts update", "activation.ts activate"],
        ...["gru.ts project", "gru.ts apply", "matrix.ts matVec", "gru.ts update", "activation.ts activate"],
        ...DENSE,
    ],
    forecaster: [
        "forecaster.ts step",
        "features.ts fill",
        "normalize.ts normalize",
        ...MODEL_STEP,
        ...DENSE,
        "normalize.ts denormalize",
        "normalize.ts addResidual",
    ],
}

/**
 * Emulated cycles per step (the mean over the steps after the first, whose
 * zero state makes the soft-float routines faster; the markers' own cycles
 * taken off), measured on the committed firmware with @devicescript/cli
 * 2.16.4 and rp2040js 1.4.1. A step's cycles depend on its data, so they
 * differ from step to step (0.1% after the first); a change of src/ that
 * means to change them, a new compiler or emulator, updates these figures.
 */
const CYCLES: Record<string, number> = {
    rnn_f32: 625_292,
    lstm_i8: 2_312_064,
    gru_before_i8: 1_778_833,
    forecaster: 517_282,
}

/**
 * How far a step's cycles may move from CYCLES: 1%. The run is
 * deterministic, so this is not for noise: it is room for changes that do
 * not touch the step, which still move the heap's layout and with it the
 * allocator's walk of its free list (60 more live arrays in the program:
 * at most 0.08%), while it catches a step that gets slower on the chip:
 * one more local stored and loaded per multiply-add in matVec (2 opcodes)
 * costs 1.7% (rnn_f32) to 2.5% (lstm_i8, gru_before_i8).
 */
const CYCLES_TOLERANCE = 0.01

describe("per step on the DeviceScript firmware (emulated Pico): allocations and cycles", () => {
    let windows: Map<string, Window[]>
    let slots: Map<string, number>

    beforeAll(async () => {
        const ws = new Workspace()
        let uf2: Uint8Array
        try {
            writeFixtures(ws, FIXTURES)
            ws.write("main.ts", program)
            uf2 = await bundleForPico(ws, "main.ts")
            slots = slotsByFunction(JSON.parse(readFileSync(join(ws.dir, ".devicescript", "bin", "bytecode-dbg.json"), "utf8")))
        } finally {
            ws.dispose()
        }
        const events: ({ line: PicoLine } | { allocation: PicoAllocation })[] = []
        runOnPico(uf2, {
            done: l => l === "DONE",
            maxCycles: 60e6,
            onLine: line => events.push({ line }),
            onAllocation: allocation => events.push({ allocation }),
        })
        windows = windowsBySection(events)
    }, 300_000)

    const empty = () => windows.get("empty")![0]

    test("a window with no step holds only the closing marker's string", () => {
        expect(windows.get("empty")).toHaveLength(1)
        expect(empty().allocations).toEqual([{ kind: "string", bytes: expect.any(Number) }])
    })

    test("the count is exact: three calls of a function of one slot are three frames of 32 B", () => {
        expect(windows.get("three calls")![0].allocations).toEqual([frame(1), frame(1), frame(1), ...empty().allocations])
    })

    for (const [name, calls] of Object.entries(CALLS)) {
        test(`${name}: each step allocates its ${calls.length} call frames and nothing else`, () => {
            const frames = calls.map(c => {
                const n = slots.get(c)
                if (n === undefined) throw new Error(`the compiler lists no function ${c}`)
                return frame(n)
            })
            const steps = windows.get(name)!
            expect(steps).toHaveLength(STEPS)
            for (const step of steps) expect(step.allocations).toEqual([...frames, ...empty().allocations])
        })
    }

    test(`cycles per step within ${100 * CYCLES_TOLERANCE}% of the committed figures`, () => {
        const measured: Record<string, number> = {}
        for (const name of Object.keys(CALLS)) {
            const later = windows.get(name)!.slice(1)
            measured[name] = Math.round(later.reduce((s, w) => s + w.cycles - empty().cycles, 0) / later.length)
        }
        for (const [name, cycles] of Object.entries(CYCLES)) {
            expect(Math.abs(measured[name] / cycles - 1), `${name}: ${measured[name]} cycles, committed ${cycles} (measured: ${JSON.stringify(measured)})`).toBeLessThanOrEqual(CYCLES_TOLERANCE)
        }
    })
})
