/**
 * Runs a model in the DeviceScript VM over a sequence of input rows: one
 * step per row from zero state, exactly as a device streams them.
 *
 * The program is built once. Inputs and the state to start from travel in
 * two `hex` literals of the image, found by random markers and overwritten
 * for each chunk of rows; the model state is carried from one chunk to the
 * next with snapshot/restore. Outputs and state come back as checked console
 * lines (value-lines.ts). The program is tools/device/simulate.ts. A build
 * costs 5-9 s, a VM start about 20 ms and a suspension about 1 µs
 * (measured), so the per-chunk rebuilds were what made long runs slow, and
 * the per-row `await ds.sleep(0)` stays.
 */
import { randomBytes } from "node:crypto"
import type { CanonicalModel } from "../model/canonical.ts"
import { macsPerStep } from "../model/canonical.ts"
import { readingCount, seasonRingSize, statisticalRingSize } from "../model/features.ts"
import { MAX_HEX_LITERAL_BYTES, emitModule } from "../emit/emit.ts"
import { type ModelPlan, planModel } from "../emit/plan.ts"
import { UserError } from "../core/errors.ts"
import type { Encoding } from "../model/quantize.ts"
import { readValues } from "./value-lines.ts"
import { runProgram, warmUpVm } from "./vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "./workspace.ts"

/** Bytes of the random marker that starts each patched literal. */
const MARKER_BYTES = 16
/** Input literal: marker, row count (u32, padded to 8), then per row its time (a model with calendar inputs) and readings, f64. */
const INPUT_HEADER_BYTES = MARKER_BYTES + 8
/**
 * The simulator's flash for these runs: room for the largest image a board
 * takes (220 KB on ESP32) next to the input literal. The budgets of a real
 * board are checked by `dsrnn build`, not here.
 */
const SIMULATE_FLASH_BYTES = 512 * 1024
/** A generous time per multiply-add for the timeout (flash matrices measure ~0.6 µs). */
const TIMEOUT_MS_PER_MAC = 0.005

/** Runs one chunk's image (the built program, its literals patched) until a line makes `done` true; returns its console lines. */
export type ChunkRunner = (image: Uint8Array, opts: { done: (line: string) => boolean; onLine: (line: string) => void; rows: number }) => Promise<string[]>

/**
 * Where the program runs: the host's WASM VM unless told otherwise
 * (pico/simulate.ts runs it on the emulated Pico's firmware). `build` builds
 * the workspace's entry once, for that target, and returns its image and the
 * runner of each chunk.
 */
export interface SimulateTarget {
    /** At most this many bytes of input literal, when the target's image is smaller than the VM's (default MAX_HEX_LITERAL_BYTES). */
    inputBytes?: number
    build(ws: Workspace, entry: string, model: CanonicalModel): Promise<{ binary: Uint8Array; runChunk: ChunkRunner }>
}

const HOST_VM: SimulateTarget = {
    async build(ws, entry, model) {
        const [{ binary }] = await Promise.all([ws.build(entry), warmUpVm()])
        const runChunk: ChunkRunner = async (image, { done, onLine, rows }) => {
            const timeoutMs = 60_000 + rows * macsPerStep(model) * TIMEOUT_MS_PER_MAC
            return (await runProgram(image, { timeoutMs, done, onLine, flashBytes: SIMULATE_FLASH_BYTES })).lines
        }
        return { binary, runChunk }
    },
}

export interface SimulateOptions {
    encoding: Encoding
    /** Where the program runs (default: the host's WASM VM). */
    target?: SimulateTarget
    /** The code the model gets (emit/plan.ts choosePlan), in `encoding`; flash matrices when absent. */
    plan?: ModelPlan
    /** Called as rows complete, with the rows done so far. */
    onProgress?: (done: number, total: number) => void
    /** At most this many rows per chunk (default: as many as one literal holds). */
    chunkRows?: number
    /** UTC ms of each row: required by a model with calendar inputs, which the Forecaster is then told before each step. */
    times?: number[]
}

/** Numbers snapshot() writes: h (and c for an LSTM) of every recurrent layer. */
export function stateSize(model: CanonicalModel): number {
    return model.layers.reduce((n, l) => n + (l.type === "lstm" ? 2 * l.units : l.type === "dense" ? 0 : l.units), 0)
}

/** Numbers the derived inputs' snapshot writes (src/features.ts snapshotDerivation): previous readings, season rings, slot, seen, time, and the statistical input's two rings and row count; 0 without them. */
function derivedStateSize(model: CanonicalModel): number {
    const f = model.features
    if (!f || readingCount(model) === model.inputSize) return 0
    const ring = (f.season?.length ?? 0) * seasonRingSize(model)
    const statistical = statisticalRingSize(model)
    return (f.change?.length ?? 0) + ring + 3 + (statistical ? 2 * statistical + 1 : 0)
}

function hexOf(bytes: Uint8Array): string {
    return Buffer.from(bytes).toString("hex")
}

/** A hex literal of `bytes` bytes that starts with `marker`, for the host to find and overwrite. */
function markedLiteral(marker: Buffer, bytes: number): string {
    return `hex\`${hexOf(marker)}${"00".repeat(bytes - MARKER_BYTES)}\``
}

/** Byte offset of `marker` in the image; it must occur exactly once. */
function locate(image: Uint8Array, marker: Buffer): number {
    const buf = Buffer.from(image.buffer, image.byteOffset, image.byteLength)
    const at = buf.indexOf(marker)
    if (at < 0 || buf.indexOf(marker, at + 1) >= 0) throw new Error("simulate: cannot find the input literal in the built image")
    return at
}

function writeF64(image: Buffer, at: number, values: number[]) {
    values.forEach((v, i) => image.writeDoubleLE(v, at + 8 * i))
}

/** The plan a run was given, or flash matrices; a plan in another encoding than the run's is a caller's mistake. */
export function planFor(model: CanonicalModel, opts: { encoding: Encoding; plan?: ModelPlan }): ModelPlan {
    if (!opts.plan) return planModel(model, opts.encoding, "flash-matrices")
    if (opts.plan.encoding !== opts.encoding) throw new Error(`a plan for ${opts.plan.encoding} weights was given for a run in ${opts.encoding}`)
    return opts.plan
}

/** Output rows the VM computes for `rows` (the readings), one per row. */
export async function simulate(model: CanonicalModel, rows: number[][], opts: SimulateOptions): Promise<number[][]> {
    const calendar = model.features?.calendar ?? []
    const timed = calendar.length > 0
    if (timed && opts.times?.length !== rows.length) throw new UserError(`the model's calendar inputs (${calendar.join(", ")}) need the time of each row`)
    const states = stateSize(model) + derivedStateSize(model)
    const stateBytes = MARKER_BYTES + 8 * states
    if (stateBytes > MAX_HEX_LITERAL_BYTES) throw new UserError(`the model's state (${states} numbers) is too large to simulate`)
    const stride = readingCount(model) + (timed ? 1 : 0)
    const target = opts.target ?? HOST_VM
    const fit = Math.floor((Math.min(MAX_HEX_LITERAL_BYTES, target.inputBytes ?? Infinity) - INPUT_HEADER_BYTES) / (8 * stride))
    const perChunk = Math.max(1, Math.min(opts.chunkRows ?? Infinity, fit, rows.length))
    const inputBytes = INPUT_HEADER_BYTES + 8 * stride * perChunk
    const inputMarker = randomBytes(MARKER_BYTES)
    const stateMarker = randomBytes(MARKER_BYTES)
    const ws = new Workspace()
    const outputs: number[][] = []
    try {
        ws.write("model.ts", emitModule(planFor(model, opts), { libraryImport: WORKSPACE_LIBRARY }))
        const entry = ws.program("simulate.ts", {
            INPUT: markedLiteral(inputMarker, inputBytes),
            STATE: markedLiteral(stateMarker, stateBytes),
            MARKER_BYTES,
            INPUT_HEADER_BYTES,
            TIMED: timed,
        })
        const { binary, runChunk } = await target.build(ws, entry, model)
        const inputAt = locate(binary, inputMarker) + MARKER_BYTES
        const stateAt = locate(binary, stateMarker) + MARKER_BYTES
        const image = Buffer.from(binary)
        let state: number[] = new Array(states).fill(0)
        for (let start = 0; start < rows.length; start += perChunk) {
            const chunk = rows.slice(start, start + perChunk)
            image.writeUInt32LE(chunk.length, inputAt)
            writeF64(image, inputAt + 8, chunk.flatMap((r, i) => (timed ? [opts.times![start + i], ...r] : r)))
            writeF64(image, stateAt, state)
            const onLine = (line: string) => {
                const m = /^Y (\d+) /.exec(line)
                if (m) opts.onProgress?.(start + Math.floor(+m[1] / model.outputSize), rows.length)
            }
            const lines = await runChunk(image, { done: l => l === "DONE", onLine, rows: chunk.length })
            const ys = readValues(lines, "Y", chunk.length * model.outputSize)
            for (let t = 0; t < chunk.length; t++) outputs.push(ys.slice(t * model.outputSize, (t + 1) * model.outputSize))
            state = readValues(lines, "S", states)
            opts.onProgress?.(outputs.length, rows.length)
        }
    } finally {
        ws.dispose()
    }
    return outputs
}
