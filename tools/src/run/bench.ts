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
import { DEVICE_PROGRAMS } from "./paths.ts"
import { runProgram } from "./vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "./workspace.ts"

/** Simulated flash of the timing program: more than a board's, so ours and the naive step share one image. */
const TIMING_FLASH_BYTES = 512 * 1024
const ROUNDS = 5
const ROUND_MS = 200

/**
 * A device function timing `body`: whole watchdog slices of `perSlice` units
 * (or one call doing them, when `once`) until the round's time is up.
 */
export function timer(name: string, perSlice: number, setup: string, body: string, once = false): string {
    const slice = once ? `        ${body}` : `        for (let i = 0; i < ${perSlice}; i++) {
            ${body}
        }`
    return `async function ${name}() {
    ${setup}
    await ds.sleep(0)
    const t0 = ds.millis()
    let n = 0
    while (ds.millis() - t0 < ${ROUND_MS}) {
${slice}
        n += ${perSlice}
        await ds.sleep(0)
    }
    return (ds.millis() - t0) / n
}`
}

/**
 * The timing program. `summary` makes the device itself reduce the rounds to
 * medians and print the figures, for a board whose console is all we see.
 */
function timingProgram(model: CanonicalModel, withNaive: boolean, naiveOnly = false, library = WORKSPACE_LIBRARY, summary = false): string {
    const macs = macsPerStep(model)
    // steps per watchdog slice, from generous per-MAC opcode guesses
    const oursPerSlice = Math.max(1, Math.floor(60_000 / (macs * 20 + 1500)))
    const naivePerSlice = Math.max(1, Math.floor(60_000 / (macs * 40 + 4000)))
    return `import * as ds from "@devicescript/core"
${naiveOnly ? "" : `import { zeros } from "${library}"`}
${naiveOnly ? `import { zeros } from "${library}"\nconst model = { inputSize: ${model.inputSize}, outputSize: ${model.outputSize}, macs: 0 }` : 'import { model } from "./model"'}
${withNaive ? 'import { naive } from "./naive"' : ""}

import { calib } from "./calib"

let sink = 0
const x = zeros(model.inputSize)
const y = zeros(model.outputSize)
let t = 0
function nextInput() {
    t++
    for (let j = 0; j < x.length; j++) x[j] = ((t * (j + 7)) % 19) / 9.5 - 1
}

// Each timer runs whole watchdog slices until ${ROUND_MS} ms have passed; returns ms per unit.
${timer("timeCalib", 8000, "", "sink += calib(8000)", true)}
${naiveOnly ? "" : timer("timeOurs", oursPerSlice, "const big = !model.fitsStep()", `nextInput()
            if (big) await model.stepAsync(x, y)
            else model.step(x, y)`)}
${withNaive ? timer("timeNaive", naivePerSlice, "", `nextInput()
            naive.step(x, y)`) : ""}
${summary ? SUMMARY_PRELUDE : ""}
for (let r = 0; r < ${ROUNDS}; r++) {
    ${summary ? "keep(0, await timeCalib())" : 'console.log("R calib " + (await timeCalib()))'}
    ${naiveOnly ? "" : summary ? "keep(1, await timeOurs())" : 'console.log("R ours " + (await timeOurs()))'}
    ${!withNaive ? "" : summary ? "keep(2, await timeNaive())" : 'console.log("R naive " + (await timeNaive()))'}
}
${summary ? summaryPrint(macs, withNaive) : 'console.log("DONE " + sink)'}
`
}

const SUMMARY_PRELUDE = `const rounds: number[][] = [[], [], []]
function keep(kind: number, ms: number) {
    rounds[kind].push(ms)
}
function median(v: number[]) {
    v.sort((a, b) => a - b)
    return v[v.length >> 1]
}`

function summaryPrint(macs: number, withNaive: boolean): string {
    return `const opcodeMs = median(rounds[0]) / ${CALIBRATION_OPCODES}
const ours = median(rounds[1])
console.log("dsrnn bench: ours " + Math.round(ours * 1000) + " us/step, " + Math.round(ours / opcodeMs) + " opcodes/step, " + Math.round((10 * ours) / opcodeMs / ${macs}) / 10 + " opcodes/MAC")
${withNaive ? `const naiveMs = median(rounds[2])
console.log("dsrnn bench: naive " + Math.round(naiveMs * 1000) + " us/step, speedup " + Math.round((100 * naiveMs) / ours) / 100 + "x")` : 'console.log("dsrnn bench: naive does not fit this board next to ours")'}
console.log("DONE " + sink)`
}

export interface BoardBenchFiles {
    dir: string
    imageBytes: number
    withNaive: boolean
}

/** The files writeBoardBench writes into its folder: the model, the naive baseline, the timing program and its calibration loop. */
export const BOARD_BENCH_FILES = ["model.ts", "naive.ts", "main.ts", "calib.ts"] as const

/**
 * Writes a benchmark program for a real board into `dir` (under src/, so it
 * imports the library relatively) and checks that it builds within `imageBudget`;
 * the naive baseline is left out when both do not fit.
 */
export async function writeBoardBench(plan: ModelPlan, dir: string, library: string, imageBudget: number): Promise<BoardBenchFiles> {
    const model = plan.model
    const ws = new Workspace()
    try {
        ws.addDevicePrograms()
        const build = async (withNaive: boolean) => {
            ws.write("model.ts", emitModule(plan, { libraryImport: WORKSPACE_LIBRARY }))
            ws.write("naive.ts", emitNaiveModule(model))
            ws.write("main.ts", timingProgram(model, withNaive, false, WORKSPACE_LIBRARY, true))
            return (await ws.build("main.ts")).binary.length
        }
        let withNaive = true
        let imageBytes = await build(true).catch(() => Infinity)
        if (imageBytes > imageBudget) {
            withNaive = false
            imageBytes = await build(false)
        }
        if (imageBytes > imageBudget) throw new UserError(`the benchmark needs ${imageBytes} B of image, the board allows ${imageBudget} B`)
        mkdirSync(dir, { recursive: true })
        const [modelFile, naiveFile, mainFile, calibFile] = BOARD_BENCH_FILES
        writeOutputFile(join(dir, modelFile), emitModule(plan, { libraryImport: library }))
        if (withNaive) writeOutputFile(join(dir, naiveFile), emitNaiveModule(model))
        writeOutputFile(join(dir, mainFile), timingProgram(model, withNaive, false, library, true))
        writeOutputFile(join(dir, calibFile), readFileSync(join(DEVICE_PROGRAMS, calibFile), "utf8"))
        return { dir, imageBytes, withNaive }
    } finally {
        ws.dispose()
    }
}

/** A program that keeps `use` alive, then ends in tools/device/heap-probe.ts: the VM's OOM report gives the live heap. */
function heapProgram(importLine: string, use: string): string {
    return `${importLine}
import { probeHeap } from "./heap-probe"
probeHeap(${use})
`
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

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b)
    return s[s.length >> 1]
}

async function liveHeap(ws: Workspace, importLine: string, use: string): Promise<number> {
    ws.write("heap.ts", heapProgram(importLine, use))
    const { binary } = await ws.build("heap.ts")
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
        const base = await liveHeap(ws, "", "0")
        const oursHeap = (await liveHeap(ws, 'import { model } from "./model"', "model.macs")) - base
        const oursImage = (await ws.build("model.ts")).binary.length
        let naiveHeap: number | string
        try {
            naiveHeap = (await liveHeap(ws, 'import { naive } from "./naive"', "naive.layers.length")) - base
        } catch (e) {
            naiveHeap = (e as Error).message
        }
        // a naive model that does not build (e.g. over the VM's bytecode limit) failed liveHeap already
        const naiveImage = typeof naiveHeap === "number" ? (await ws.build("naive.ts")).binary.length : 0
        onStatus("timing both steps, interleaved")
        const run = async (withNaive: boolean, naiveOnly = false) => {
            ws.write("bench.ts", timingProgram(model, withNaive, naiveOnly))
            const { binary } = await ws.build("bench.ts")
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
