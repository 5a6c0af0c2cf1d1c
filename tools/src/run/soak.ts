/**
 * A long run of a model in the VM, as a device runs for days: many steps
 * from zero state on inputs both sides compute exactly (integer arithmetic
 * scaled by a power of two), an output checkpoint every `every` steps, and
 * the live heap after a short run and after the long one, measured the way
 * bench.ts measures it (the VM's out-of-memory report). The program is
 * tools/device/soak.ts.
 */
import { type CanonicalModel, macsPerStep } from "../model/canonical.ts"
import { emitModule } from "../emit/emit.ts"
import type { ModelPlan } from "../emit/plan.ts"
import { planFor } from "./simulate.ts"
import { UserError } from "../core/errors.ts"
import { type Encoding, quantizeModel } from "../model/quantize.ts"
import { ReferenceModel } from "../model/reference.ts"
import { soakInput } from "../../device/soak-input.ts"
import { runProgram } from "./vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "./workspace.ts"

export interface SoakOptions {
    encoding: Encoding
    /** The code the model gets, in `encoding`; flash matrices when absent. */
    plan?: ModelPlan
    steps: number
    /** Output checkpoint interval, in steps. */
    every: number
    onStatus?: (s: string) => void
}

export interface Checkpoint {
    /** Steps done (the output is the one after step `step - 1`). */
    step: number
    device: number[]
    /** |device - float64 reference of the quantized weights|, max over outputs: what the device computes wrong. */
    quantizedError: number
    /** |device - float64 reference of the original weights|: what quantization costs. */
    floatError: number
}

export interface SoakResult {
    checkpoints: Checkpoint[]
    /** The first step whose output was NaN or infinite, or null. */
    nonFinite: number | null
    /** Live heap after `every` steps and after all of them. */
    heapShort: number
    heapLong: number
}

function readF64(hex: string): number[] {
    const buf = Buffer.from(hex, "hex")
    return Array.from({ length: buf.length / 8 }, (_, i) => buf.readDoubleLE(8 * i))
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, j) => Math.abs(v - b[j])))

export async function soak(model: CanonicalModel, opts: SoakOptions): Promise<SoakResult> {
    const { steps, every } = opts
    const macs = macsPerStep(model)
    // steps between suspensions, from a generous 25 opcodes per multiply-add against the 131,072-opcode watchdog
    const perSlice = Math.max(1, Math.floor(60_000 / (25 * macs + 2000)))
    // the short and the long program build side by side; the VM runs one program at a time
    const spaces = [new Workspace(), new Workspace()]
    try {
        opts.onStatus?.("building")
        const [shortBinary, longBinary] = await Promise.all(
            [every, steps].map((n, i) => {
                spaces[i].write("model.ts", emitModule(planFor(model, opts), { libraryImport: WORKSPACE_LIBRARY }))
                return spaces[i].build(spaces[i].program("soak.ts", { STEPS: n, EVERY: every, PER_SLICE: perSlice }))
            })
        )
        const run = async (binary: Uint8Array, n: number) => {
            const r = await runProgram(binary, { timeoutMs: 60_000 + 10 * n, allowPanic: true })
            if (!r.heap) throw new UserError(`the soak program printed no heap report: ${r.lines.slice(-3).join(" | ")}`)
            return { lines: r.lines, heap: r.heap.used }
        }
        opts.onStatus?.(`${every} steps, then the heap`)
        const short = await run(shortBinary.binary, every)
        opts.onStatus?.(`${steps} steps, then the heap`)
        const long = await run(longBinary.binary, steps)
        const nonFinite = long.lines.find(l => l.startsWith("NONFINITE "))
        const device = long.lines.filter(l => l.startsWith("Y ")).map(l => ({ step: +l.split(" ")[1], y: readF64(l.split(" ")[2]) }))
        if (!nonFinite && device.length !== Math.floor(steps / every))
            throw new UserError(`the soak program printed ${device.length} checkpoints, expected ${Math.floor(steps / every)}: ${long.lines.slice(-3).join(" | ")}`)
        opts.onStatus?.("float64 references")
        const quantized = new ReferenceModel(quantizeModel(model, opts.encoding))
        const float = new ReferenceModel(model)
        const checkpoints: Checkpoint[] = []
        const x = new Array<number>(model.inputSize)
        let next = 0
        for (let t = 0; next < device.length; t++) {
            for (let j = 0; j < x.length; j++) x[j] = soakInput(t, j)
            const q = quantized.step(x)
            const f = float.step(x)
            if (t + 1 === device[next].step) {
                const y = device[next++].y
                checkpoints.push({ step: t + 1, device: y, quantizedError: maxDiff(y, q), floatError: maxDiff(y, f) })
            }
        }
        return { checkpoints, nonFinite: nonFinite ? +nonFinite.split(" ")[1] : null, heapShort: short.heap, heapLong: long.heap }
    } finally {
        for (const ws of spaces) ws.dispose()
    }
}
