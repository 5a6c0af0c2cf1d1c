/**
 * `dsrnn bench --target pico`: every code path's step on the DeviceScript
 * firmware of an emulated Pico, side by side in one image and one run
 * (tools/device/bench-pico.ts), or one image per path when they do not fit
 * one: emulated cycles and VM opcodes per step from the stamps of the marker
 * lines around each step, less an empty pair's.
 *
 * Every figure is emulated: the flash (XIP) cache is not modelled, so a real
 * board, which reads code and weights through it, is somewhat slower. The
 * live heap is the host VM's report for the same module (the same objects).
 */
import { type CanonicalModel, macsPerStep } from "../model/canonical.ts"
import { emitModule } from "../emit/emit.ts"
import { emitNaiveModule } from "../emit/naive.ts"
import { LITERAL_MAX_LOCALS } from "../emit/kernels/common.ts"
import { type LayerPath, type ModelPlan, describePlan, planModel } from "../emit/plan.ts"
import { SPECIALIZED_MAX_MACS } from "../emit/specialized.ts"
import type { Encoding } from "../model/quantize.ts"
import { UserError } from "../core/errors.ts"
import { liveHeap, median } from "../run/bench.ts"
import { WORKSPACE_LIBRARY, Workspace, deviceSource } from "../run/workspace.ts"
import { PICO_HZ, type PicoLine, runOnPico } from "./emulator.ts"
import { bundleForPico } from "./program.ts"

/** Timed steps per path; the median is reported. */
const ROUNDS = 5
/** The program's module and flag per path. */
const PATHS: { path: LayerPath; file: string; flag: string }[] = [
    { path: "flash-matrices", file: "path-flash.ts", flag: "FLASH" },
    { path: "unrolled-flash", file: "path-unrolled.ts", flag: "UNROLLED" },
    { path: "literal-code", file: "path-literal.ts", flag: "LITERAL" },
]
/** Generous emulated cycles: the boot, and per step and multiply-add (measured: 1.3 M for a step of 26, 45 M for 4,512 in flash matrices). */
const BOOT_CYCLES = 30e6
const CYCLES_PER_STEP = 5e6
const CYCLES_PER_MAC = 30_000

export interface PicoPathFigures {
    /** "naive", or the plan's name of the path ("flash matrices", "unrolled flash", "specialised"). */
    name: string
    cyclesPerStep: number
    msPerStep: number
    opcodesPerStep: number
    cyclesPerOpcode: number
    heapBytes: number
}

export interface PicoBench {
    model: string
    encoding: Encoding
    macs: number
    paths: PicoPathFigures[]
    /** Paths left out, and why. */
    skipped: string[]
}

/** Per name, the cycles and opcodes between each "B name" line and the "E name" after it. */
function intervals(lines: PicoLine[]): Map<string, { cycles: number[]; opcodes: number[] }> {
    const out = new Map<string, { cycles: number[]; opcodes: number[] }>()
    let begin: PicoLine | undefined
    for (const l of lines) {
        const [mark, name] = l.text.split(" ")
        if (mark === "B") begin = l
        if (mark !== "E" || !begin) continue
        const s = out.get(name) ?? { cycles: [], opcodes: [] }
        s.cycles.push(l.cycles - begin.cycles)
        s.opcodes.push(l.opcodes - begin.opcodes)
        out.set(name, s)
        begin = undefined
    }
    return out
}

/** Literal code is possible for the model: within the bytecode budget and the compiler's locals. */
function literalFits(plan: ModelPlan): boolean {
    return macsPerStep(plan.model) <= SPECIALIZED_MAX_MACS && plan.layers.every(l => l.locals <= LITERAL_MAX_LOCALS)
}

/** A timed step of the program: "naive" or one of PATHS. */
type Timed = "naive" | LayerPath

export async function benchOnPico(model: CanonicalModel, encoding: Encoding, onStatus: (s: string) => void = () => {}): Promise<PicoBench> {
    const plans = PATHS.map(p => ({ ...p, plan: planModel(model, encoding, p.path) }))
    const skipped: string[] = []
    const used = plans.filter(p => {
        if (p.path !== "literal-code" || literalFits(p.plan)) return true
        skipped.push(`${describePlan(p.plan)}: over the VM's bytecode or locals limit`)
        return false
    })
    const macs = macsPerStep(model)
    const ws = new Workspace()
    try {
        const absent = deviceSource("absent.ts")
        /** Boots an image with the steps of `timed` (the others stand-ins); per step, cycles and opcodes less the image's empty pair. */
        const run = async (timed: Timed[]) => {
            for (const p of plans) ws.write(p.file, timed.includes(p.path) ? emitModule(p.plan, { libraryImport: WORKSPACE_LIBRARY }) : absent)
            ws.write("naive.ts", timed.includes("naive") ? emitNaiveModule(model) : absent)
            const entry = ws.program("bench-pico.ts", {
                ROUNDS,
                NAIVE: timed.includes("naive"),
                ...Object.fromEntries(plans.map(p => [p.flag, timed.includes(p.path)])),
                INPUT_SIZE: model.inputSize,
                OUTPUT_SIZE: model.outputSize,
            })
            const uf2 = await bundleForPico(ws, entry)
            const result = runOnPico(uf2, { done: l => l === "DONE", maxCycles: BOOT_CYCLES + (timed.length + 1) * (ROUNDS + 1) * (CYCLES_PER_STEP + macs * CYCLES_PER_MAC) })
            const marks = intervals(result.lines)
            const empty = marks.get("empty")!
            const out = new Map<Timed, { cycles: number; opcodes: number }>()
            for (const t of timed) {
                const m = marks.get(t)
                if (!m) throw new Error(`the emulated Pico printed no timing of ${t}: ${result.lines.slice(-3).map(l => l.text).join(" | ")}`)
                out.set(t, { cycles: median(m.cycles) - median(empty.cycles), opcodes: median(m.opcodes) - median(empty.opcodes) })
            }
            return out
        }
        const all: Timed[] = ["naive", ...used.map(p => p.path)]
        let steps: Map<Timed, { cycles: number; opcodes: number }>
        try {
            onStatus("bundling every path into the Pico firmware and running it")
            steps = await run(all)
        } catch (e) {
            if (!(e instanceof UserError)) throw e
            // all paths together can pass the ~110 KB a program may take of the Pico's flash: one image each
            onStatus("they do not fit one image: one image per path")
            steps = new Map()
            for (const t of all) {
                onStatus(`running ${t === "naive" ? t : describePlan(plans.find(p => p.path === t)!.plan)}`)
                steps.set(t, (await run([t])).get(t)!)
            }
        }
        onStatus("measuring the live heap of each path (host VM)")
        // the heap programs (tools/device/heap-*.ts) keep ./model or ./naive alive up to the probe
        ws.addDevicePrograms()
        ws.write("naive.ts", emitNaiveModule(model))
        const base = await liveHeap(ws, "heap-base.ts")
        const figures = async (name: string, t: Timed, heapProgram: string): Promise<PicoPathFigures> => {
            const { cycles, opcodes } = steps.get(t)!
            const heapBytes = (await liveHeap(ws, heapProgram)) - base
            return { name, cyclesPerStep: cycles, msPerStep: (cycles / PICO_HZ) * 1000, opcodesPerStep: opcodes, cyclesPerOpcode: cycles / opcodes, heapBytes }
        }
        const paths = [await figures("naive", "naive", "heap-naive.ts")]
        for (const p of used) {
            ws.write("model.ts", emitModule(p.plan, { libraryImport: WORKSPACE_LIBRARY }))
            paths.push(await figures(describePlan(p.plan), p.path, "heap-ours.ts"))
        }
        return { model: model.layers.map(l => `${l.type}(${l.units})`).join(" > ") + `, ${model.inputSize} inputs`, encoding, macs, paths, skipped }
    } finally {
        ws.dispose()
    }
}

export function formatPicoBench(b: PicoBench): string {
    const n = (v: number, digits = 0) => v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    const row = (p: PicoPathFigures) =>
        `${p.name.padEnd(16)} ${n(p.cyclesPerStep).padStart(13)} ${n(p.msPerStep, 2).padStart(9)} ${n(p.opcodesPerStep).padStart(9)} ${n(p.cyclesPerOpcode).padStart(10)} ${`${n(p.heapBytes)} B`.padStart(10)}`
    return [
        `${b.model}, ${b.encoding} weights, ${n(b.macs)} multiply-adds per step, on the Pico firmware (emulated RP2040, median of ${ROUNDS} steps)`,
        `${"path".padEnd(16)} ${"cycles/step".padStart(13)} ${"ms/step*".padStart(9)} ${"opcodes".padStart(9)} ${"cycles/op".padStart(10)} ${"live heap".padStart(10)}`,
        ...b.paths.map(row),
        ...b.skipped.map(s => `${s.split(":")[0].padEnd(16)} not built: ${s.split(": ").slice(1).join(": ")}`),
        `* emulated: cycles executed by the emulated RP2040 at ${PICO_HZ / 1e6} MHz. The flash (XIP) cache is not modelled, so a real board is somewhat slower.`,
        `  live heap: the host VM's heap report for the same module.`,
    ].join("\n")
}
