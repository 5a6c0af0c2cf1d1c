/**
 * `dsrnn bench`: our step and the naive baseline, timed side by side in one
 * VM run without GC stress (as a device runs), plus heap and image sizes.
 *
 * Opcode estimates come from the calibration loop of tools/device/calib.ts,
 * timed in the same run.
 */
import { type CanonicalModel, macsPerStep } from "../model/canonical.ts"
import { emitModule } from "../emit/emit.ts"
import { emitNaiveModule } from "../emit/naive.ts"
import { type ModelPlan, describePlan } from "../emit/plan.ts"
import type { Encoding } from "../model/quantize.ts"
import { mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { UserError } from "../core/errors.ts"
import { writeOutputFile } from "../io/files.ts"
import { CALIBRATION_OPCODES } from "../../device/calib.ts"
import { runProgram } from "./vm.ts"
import { type Param, WORKSPACE_LIBRARY, Workspace, deviceSource } from "./workspace.ts"

/** Simulated flash of the timing program: more than a board's, so ours and the naive step share one image. */
const TIMING_FLASH_BYTES = 512 * 1024
const ROUNDS = 5
const ROUND_MS = 200

/** The device files of the timing programs (tools/device/), next to the entry and the model modules. */
const TIMING_MODULES = ["calib.ts", "bench-input.ts", "time-calib.ts", "time-ours.ts", "time-naive.ts"]

/**
 * The params of the timing programs (tools/device/bench.ts, bench-board.ts):
 * which steps are timed, and steps per watchdog slice from generous per-MAC
 * opcode guesses.
 */
function timingParams(model: CanonicalModel, ours: boolean, naive: boolean): Record<string, Param> {
    const macs = macsPerStep(model)
    return {
        OURS: ours,
        NAIVE: naive,
        ROUNDS,
        ROUND_MS,
        INPUT_SIZE: model.inputSize,
        OUTPUT_SIZE: model.outputSize,
        MACS: macs,
        OURS_PER_SLICE: Math.max(1, Math.floor(60_000 / (macs * 20 + 1500))),
        NAIVE_PER_SLICE: Math.max(1, Math.floor(60_000 / (macs * 40 + 4000))),
    }
}

/** model.ts and naive.ts of a timing program: the emitted modules of the steps it times, the stand-in (absent.ts) for the others. */
function timedModules(plan: ModelPlan, ours: boolean, naive: boolean, library: string): Record<"model.ts" | "naive.ts", string> {
    const absent = deviceSource("absent.ts")
    return {
        "model.ts": ours ? emitModule(plan, { libraryImport: library }) : absent,
        "naive.ts": naive ? emitNaiveModule(plan.model) : absent,
    }
}

export interface BoardBenchFiles {
    dir: string
    imageBytes: number
    withNaive: boolean
}

/** The files writeBoardBench writes into its folder: the model, the naive baseline (or its stand-in), the timing program, its params and its modules. */
export const BOARD_BENCH_FILES = ["model.ts", "naive.ts", "main.ts", "params.ts", ...TIMING_MODULES]

/**
 * Writes a benchmark program for a real board into `dir` (under src/, so it
 * imports the library relatively) and checks that it builds within `imageBudget`;
 * the naive baseline is left out when both do not fit.
 */
export async function writeBoardBench(plan: ModelPlan, dir: string, library: string, imageBudget: number): Promise<BoardBenchFiles> {
    const ws = new Workspace()
    try {
        const build = async (withNaive: boolean) => {
            const entry = ws.program("bench-board.ts", timingParams(plan.model, true, withNaive))
            for (const [name, source] of Object.entries(timedModules(plan, true, withNaive, WORKSPACE_LIBRARY))) ws.write(name, source)
            return (await ws.build(entry)).binary.length
        }
        let withNaive = true
        let imageBytes = await build(true).catch(() => Infinity)
        if (imageBytes > imageBudget) {
            withNaive = false
            imageBytes = await build(false)
        }
        if (imageBytes > imageBudget) throw new UserError(`the benchmark needs ${imageBytes} B of image, the board allows ${imageBudget} B`)
        mkdirSync(dir, { recursive: true })
        const files: Record<string, string> = {
            ...timedModules(plan, true, withNaive, library),
            "main.ts": deviceSource("bench-board.ts", library),
            "params.ts": readFileSync(join(ws.dir, "params.ts"), "utf8"),
            ...Object.fromEntries(TIMING_MODULES.map(f => [f, deviceSource(f, library)])),
        }
        for (const name of BOARD_BENCH_FILES) writeOutputFile(join(dir, name), files[name])
        return { dir, imageBytes, withNaive }
    } finally {
        ws.dispose()
    }
}

export interface BenchFigures {
    model: string
    encoding: Encoding
    /** The code path(s) timed ("specialised", "unrolled flash", "flash matrices", or one per layer). */
    code: string
    /** Both steps did not fit one image, so they were timed in two runs. */
    separateRuns: boolean
    macs: number
    ours: { usPerStep: number; opcodesPerStep: number; opcodesPerMac: number; heapBytes: number; imageBytes: number }
    naive: { usPerStep: number; opcodesPerStep: number; opcodesPerMac: number; heapBytes: number; imageBytes: number } | { failed: string }
    speedup?: number
    usPerCalibrationOpcode: number
}

/** The middle of `values` (the upper of the two for an even count). */
export function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b)
    return s[s.length >> 1]
}

/**
 * The live heap of a heap program (tools/device/heap-base.ts, heap-ours.ts,
 * heap-naive.ts), which keeps its model alive and ends in heap-probe.ts: the
 * VM's out-of-memory report gives it (pico/bench.ts reads it too).
 */
export async function liveHeap(ws: Workspace, entry: string): Promise<number> {
    const { binary } = await ws.build(entry)
    const { heap } = await runProgram(binary, { timeoutMs: 30_000, allowPanic: true })
    if (!heap) throw new Error("the VM printed no heap report")
    return heap.used
}

export async function bench(plan: ModelPlan, onStatus: (s: string) => void = () => {}): Promise<BenchFigures> {
    const { model, encoding } = plan
    const ws = new Workspace()
    try {
        ws.addDevicePrograms()
        ws.write("model.ts", emitModule(plan, { libraryImport: WORKSPACE_LIBRARY }))
        ws.write("naive.ts", emitNaiveModule(model))
        onStatus("measuring heap and image sizes")
        const base = await liveHeap(ws, "heap-base.ts")
        const oursHeap = (await liveHeap(ws, "heap-ours.ts")) - base
        const oursImage = (await ws.build("model.ts")).binary.length
        let naiveHeap: number | string
        try {
            naiveHeap = (await liveHeap(ws, "heap-naive.ts")) - base
        } catch (e) {
            naiveHeap = (e as Error).message
        }
        // a naive model that does not build (e.g. over the VM's bytecode limit) failed liveHeap already
        const naiveImage = typeof naiveHeap === "number" ? (await ws.build("naive.ts")).binary.length : 0
        onStatus("timing both steps, interleaved")
        const run = async (withNaive: boolean, naiveOnly = false) => {
            const entry = ws.program("bench.ts", timingParams(model, !naiveOnly, withNaive))
            for (const [name, source] of Object.entries(timedModules(plan, !naiveOnly, withNaive, WORKSPACE_LIBRARY))) ws.write(name, source)
            const { binary } = await ws.build(entry)
            // room for both steps in one image, so that their rounds interleave; the sizes above are each alone
            return (await runProgram(binary, { timeoutMs: 120_000, done: l => l.startsWith("DONE"), flashBytes: TIMING_FLASH_BYTES })).lines
        }
        let naiveFailure = typeof naiveHeap === "string" ? `does not fit: ${naiveHeap}` : ""
        let lines: string[]
        let separateRuns = false
        try {
            lines = await run(!naiveFailure)
        } catch (e) {
            if (naiveFailure) throw e
            // Both steps together can exceed the image budget: time them in two runs instead.
            separateRuns = true
            lines = await run(false)
            try {
                lines.push(...(await run(true, true)))
            } catch (e2) {
                naiveFailure = `fails: ${(e2 as Error).message.split("\n")[0]}`
            }
        }
        const series = (kind: string) => lines.filter(l => l.startsWith(`R ${kind} `)).map(l => +l.split(" ")[2])
        const calib = median(series("calib")) / CALIBRATION_OPCODES
        const macs = macsPerStep(model)
        const figures = (msPerStep: number, heapBytes: number, imageBytes: number) => {
            const opcodesPerStep = msPerStep / calib
            return { usPerStep: msPerStep * 1000, opcodesPerStep, opcodesPerMac: opcodesPerStep / macs, heapBytes, imageBytes }
        }
        const ours = figures(median(series("ours")), oursHeap, oursImage)
        const naiveTimes = series("naive")
        const naive = naiveFailure || !naiveTimes.length ? { failed: naiveFailure || "no timing" } : figures(median(naiveTimes), naiveHeap as number, naiveImage)
        return {
            model: model.layers.map(l => `${l.type}(${l.units})`).join(" > ") + `, ${model.inputSize} inputs`,
            encoding,
            code: describePlan(plan),
            separateRuns,
            macs,
            ours,
            naive,
            speedup: "usPerStep" in naive ? naive.usPerStep / ours.usPerStep : undefined,
            usPerCalibrationOpcode: calib * 1000,
        }
    } finally {
        ws.dispose()
    }
}

export function formatBench(f: BenchFigures): string {
    const row = (name: string, r: BenchFigures["ours"]) =>
        `${name.padEnd(7)} ${r.usPerStep.toFixed(1).padStart(9)} us ${r.opcodesPerStep.toFixed(0).padStart(9)} ${r.opcodesPerMac.toFixed(1).padStart(8)} ${String(r.heapBytes).padStart(9)} B ${String(r.imageBytes).padStart(9)} B`
    return [
        `${f.model}, ${f.encoding} weights, ${f.code === "specialised" ? "specialised code" : f.code}, ${f.macs} multiply-adds per step (median of ${ROUNDS} interleaved rounds, no GC stress)`,
        `        time/step   opcodes/step  op/MAC   heap(model)   image`,
        row("ours", f.ours),
        "usPerStep" in f.naive ? row("naive", f.naive) : `naive   ${f.naive.failed}`,
        f.speedup ? `speedup: ${f.speedup.toFixed(2)}x${f.separateRuns ? " (timed in two runs: both steps do not fit one image)" : ""}` : "",
        `(1 opcode = ${(f.usPerCalibrationOpcode * 1000).toFixed(1)} ns in this run; image = program with only that model)`,
    ].filter(Boolean).join("\n")
}
