import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { Act, Dense, Derivation, Enc, Affine, Gru, GruAffine, Lstm, Matrix, Model, activate, matVec } from "../src/index"

/*
 * Counts the bytes each kernel allocates, exactly, from heap addresses: no
 * timing. The VM allocates first-fit from a free list in address order and
 * frees nothing until a collection, which runs once 16 KB (a quarter of the
 * heap) have been allocated since the last one. So each window first forces
 * collections, then fills the holes below the heap's free top with probes;
 * after that every allocation is taken from the front of one free block, and
 * the distance between two probe buffers is the sum of everything allocated
 * between them.
 *
 * A call frame takes 24 B (devs_activation_t) + 8 B per slot; the slot
 * counts below are the ones `devs build` lists in
 * .devicescript/bin/bytecode-dbg.json. Any other allocation (an array, a
 * closure, a string) makes a count exceed its frames; a kernel that gains a
 * local needs its count here updated. tools/test/emit/disasm.test.ts is the
 * static proof that the step path has no allocating instruction.
 *
 * `devs run --test` collects at every allocation, which erases the count
 * (the first test fails there): tools/test/run/firmware.test.ts runs this
 * file in the VM with GC stress off, as a device runs.
 */

function frame(slots: number) {
    return 24 + 8 * slots
}
const ONE_FRAME = frame(1)
const RUN_ONCE = frame(1)
const MAT_VEC = frame(21)
const ACTIVATE = frame(15)
const AFFINE_APPLY = frame(6)
const LSTM_PROJECT = frame(7)
const LSTM_UPDATE = frame(9)
const DENSE_PROJECT = frame(5)
const DENSE_UPDATE = frame(2)
const GRU_AFFINE_APPLY = frame(15)
const GRU_PROJECT = frame(7)
const GRU_UPDATE = frame(13)
const MODEL_STEP = frame(9)
const CHECK_IO = frame(5)
const DERIVE = frame(39)

/** Size of a probe, Buffer.alloc(0): 12 B of header. */
const PROBE = 12

/** Where `o` is on the heap, read from the TypeError that calling it throws ("buffer:0x3A5DC called"). */
function addressOf(o: any): number {
    try {
        o()
    } catch (e: any) {
        const m: string = e.message
        let n = 0
        for (let i = m.indexOf("0x") + 2; i < m.length; i++) {
            const d = "0123456789ABCDEF".indexOf(m[i])
            if (d < 0) break
            n = n * 16 + d
        }
        return n
    }
    return -1
}

function oneFrame(i: number) {
    return i
}

// One input, one unit: the same calls as any size.
function zeroMatrix(rows: number) {
    return new Matrix(Buffer.alloc(4 * rows), null, rows, 1, Enc.F32)
}
function gates(rows: number) {
    return new Affine(zeroMatrix(rows), zeroMatrix(rows), Buffer.alloc(4 * rows), Buffer.alloc(4 * rows))
}
const lstm = new Lstm(1, 1, gates(4), Act.Tanh, Act.Sigmoid)
const dense = new Dense(1, 1, new Affine(zeroMatrix(1), null, Buffer.alloc(4), null), Act.Linear)
const gru = new Gru(1, 1, new GruAffine(gates(3), false), Act.Tanh, Act.Sigmoid, false)
const model = new Model([lstm, dense])
const x = [0.5]
const y = [0]
const v = [0.5]
const m1 = zeroMatrix(1)
const bias1 = Buffer.alloc(4)
// every kind of derived input: a change, a seasonal value 2 rows back, the day's phase
const derivation = new Derivation({ change: [0], season: [0], depth: 2, seasonChange: null, lag: 0, cycleMs: [86400000], cycleOffsetMs: [0], rowMs: 3600000 }, 5)
derivation.time = 1709272800000
const readings = [0.5]
const derived = [0, 0, 0, 0, 0]

// What each window runs once per iteration.
const EMPTY = 0
const THREE = 1
const MATVEC = 2
const ACT = 3
const LSTM_P = 4
const LSTM_U = 5
const DENSE = 6
const GRU = 7
const STEP = 8
const DERIVED = 9
const KINDS = 10

function runOnce(kind: number) {
    if (kind === THREE) oneFrame(oneFrame(oneFrame(kind)))
    else if (kind === MATVEC) matVec(m1, x, bias1, v, 0, 1, false)
    else if (kind === ACT) activate(v, 0, 1, Act.Tanh)
    else if (kind === LSTM_P) lstm.project(0, x, 0, 4)
    else if (kind === LSTM_U) lstm.update(0)
    else if (kind === DENSE) {
        dense.project(0, x, 0, 1)
        dense.update(0)
    } else if (kind === GRU) {
        gru.project(0, x, 0, 3)
        gru.update(0)
        gru.project(1, x, 0, 1)
        gru.update(1)
    } else if (kind === STEP) model.step(x, y)
    else if (kind === DERIVED) derivation.fill(readings, derived)
}

/** Iterations per window: more than one shows nothing is allocated once and kept. */
const ITERATIONS = 2
/** More than the collection threshold (16 KB), less than the free heap. */
const COLLECT_BYTES = 16500
/** Probes per settle at most: each costs ~150 opcodes of the watchdog's 131,072 per slice. */
const MAX_FILL = 500

/** Leaves COLLECT_BYTES of garbage, so that the next allocation runs a collection. */
function spend() {
    Buffer.alloc(COLLECT_BYTES)
}

/**
 * Makes every further allocation come from the front of one large free block.
 * Two collections first: the VM keeps its last thrown exception live, so the
 * first one (thrown by the window before, high up) survives one collection,
 * and the exception thrown just after it lands low. A buffer of COLLECT_BYTES
 * then fits only in the free top, and a third collection runs while it is
 * live (when addressOf allocates its frame). Probes fill the holes below it
 * until one lands beyond it; false if none does within MAX_FILL probes.
 */
function settle() {
    for (let i = 0; i < 2; i++) {
        spend()
        addressOf(Buffer.alloc(0))
    }
    const top = addressOf(Buffer.alloc(COLLECT_BYTES)) + PROBE + COLLECT_BYTES
    for (let i = 0; i < MAX_FILL; i++) if (addressOf(Buffer.alloc(0)) >= top) return true
    return false
}

/**
 * Free room a window must leave after its last probe: more than any one
 * allocation of these steps (the largest frame, Derivation.fill's, is 336 B),
 * so none of them can have skipped the block the window started in.
 */
const ROOM = 384

/**
 * Bytes allocated by ITERATIONS runs of `kind`, or -1 if the heap could not
 * be settled, a collection ran, or the window may have spilled out of the
 * free block it started in: then the room buffer would not fit right after it.
 */
function window(kind: number) {
    if (!settle()) return -1
    const a = Buffer.alloc(0)
    for (let i = 0; i < ITERATIONS; i++) runOnce(kind)
    const b = Buffer.alloc(0)
    const room = Buffer.alloc(ROOM)
    const from = addressOf(a)
    const to = addressOf(b)
    return to > from && addressOf(room) === to + PROBE ? to - from - PROBE : -1
}

/** Whether garbage stays in place until a collection: not so in `devs run --test`, which collects at every allocation. */
function garbageStays() {
    if (!settle()) return false
    const a = Buffer.alloc(0)
    oneFrame(0)
    const b = Buffer.alloc(0)
    return addressOf(b) - addressOf(a) === PROBE + ONE_FRAME
}

// All windows run before the test framework starts, so that nothing it keeps
// lands on the heap between them. `bytes` is made first for the same reason.
const bytes = [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1]
await ds.sleep(0)
const stays = garbageStays()
// A block left live by the window before can still sit inside the next one,
// which then reads too many bytes (never too few: nothing of 12 B or more
// fits below a probe) or fails its room check. So each kind is counted twice,
// after a different window each time (the second pass runs backwards), and
// keeps its smaller count. Each pass has a watchdog slice of its own.
for (let p = 0; p < (stays ? 2 : 0); p++) {
    await ds.sleep(0)
    for (let i = 0; i < KINDS; i++) {
        const k = p === 0 ? i : KINDS - 1 - i
        const n = window(k)
        if (n >= 0 && (bytes[k] < 0 || n < bytes[k])) bytes[k] = n
    }
}

/** Bytes per iteration of `kind`, less the frame of runOnce itself. */
function perIteration(kind: number) {
    const n = bytes[kind] < 0 ? -1 : bytes[kind] / ITERATIONS - RUN_ONCE
    console.log(`bytes allocated per iteration (kind ${kind}): ${n}`)
    return n
}

describe("allocations: call frames only, counted in bytes", () => {
    test("garbage stays in place until a collection (GC stress is off)", () => expect(stays).toBe(true))
    test("the count is exact: an empty window is runOnce's frame", () => expect(perIteration(EMPTY)).toBe(0))
    test("the count is exact: three nested calls are three frames", () => expect(perIteration(THREE)).toBe(3 * ONE_FRAME))
    test("matVec: its frame only", () => expect(perIteration(MATVEC)).toBe(MAT_VEC))
    test("activate: its frame only", () => expect(perIteration(ACT)).toBe(ACTIVATE))
    test("LSTM project: its frame + Affine.apply + 2 matVec", () => expect(perIteration(LSTM_P)).toBe(LSTM_PROJECT + AFFINE_APPLY + 2 * MAT_VEC))
    test("LSTM update: its frame + 4 activate", () => expect(perIteration(LSTM_U)).toBe(LSTM_UPDATE + 4 * ACTIVATE))
    test("Dense project + update: 2 frames + Affine.apply + matVec + activate", () =>
        expect(perIteration(DENSE)).toBe(DENSE_PROJECT + DENSE_UPDATE + AFFINE_APPLY + MAT_VEC + ACTIVATE))
    test("GRU (reset before), both stages: 2 project + 2 update + 2 GruAffine.apply + 3 matVec + 2 activate", () =>
        expect(perIteration(GRU)).toBe(2 * GRU_PROJECT + 2 * GRU_UPDATE + 2 * GRU_AFFINE_APPLY + 3 * MAT_VEC + 2 * ACTIVATE))
    test("LSTM + dense Model.step: step + checkIo + the LSTM and Dense frames above", () =>
        expect(perIteration(STEP)).toBe(
            MODEL_STEP + CHECK_IO + LSTM_PROJECT + AFFINE_APPLY + 2 * MAT_VEC + LSTM_UPDATE + 4 * ACTIVATE + DENSE_PROJECT + DENSE_UPDATE + AFFINE_APPLY + MAT_VEC + ACTIVATE
        ))
    test("Derivation.fill (change, season ring, calendar sin/cos): its frame only", () => expect(perIteration(DERIVED)).toBe(DERIVE))
})
