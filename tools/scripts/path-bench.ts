/**
 * The code paths side by side in one VM run: LSTM(H, 3 inputs) + Dense(1)
 * as flash matrices, unrolled flash and specialised code (where it fits the
 * VM's bytecode limit), each in its own module of one program, timed in
 * interleaved rounds without GC stress, as `dsrnn bench` times ours against
 * naive. Prints the median time per step, opcodes per multiply-add (from the
 * calibration loop) and each path's speed-up over flash matrices.
 * Run: npx tsx tools/scripts/path-bench.ts [--weights i8] [units...]   (default: 32 64)
 */
import { emitModule } from "../src/emit/emit.ts"
import { type LayerPath, planModel } from "../src/emit/plan.ts"
import { SPECIALIZED_MAX_MACS } from "../src/emit/specialized.ts"
import { CALIBRATION_OPCODES } from "../device/calib.ts"
import { macsPerStep } from "../src/model/canonical.ts"
import type { Encoding } from "../src/model/quantize.ts"
import { randomLstmModel } from "../src/model/random.ts"
import { runProgram } from "../src/run/vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../src/run/workspace.ts"

const ROUNDS = 7
const ROUND_MS = 200

/** A device function timing model module `module` as tools/device/time-ours.ts times ours, in slices of `perSlice` steps. */
function timer(name: string, module: string, perSlice: number): string {
    return `async function ${name}() {
    const m = ${module}
    await ds.sleep(0)
    const t0 = ds.millis()
    let n = 0
    while (ds.millis() - t0 < ROUND_MS) {
        for (let i = 0; i < ${perSlice}; i++) {
            nextInput()
            if (m.fitsStep()) m.step(x, y)
            else await m.stepAsync(x, y)
        }
        n += ${perSlice}
        await ds.sleep(0)
    }
    return (ds.millis() - t0) / n
}`
}
const args = process.argv.slice(2)
const wAt = args.indexOf("--weights")
const encoding = (wAt >= 0 ? args.splice(wAt, 2)[1] : "i8") as Encoding
const sizes = args.length ? args.map(Number) : [32, 64]

interface Variant {
    name: string
    path: LayerPath
    module: string
    macs: number
}

const variants: Variant[] = []
const ws = new Workspace()
try {
    for (const units of sizes) {
        const model = randomLstmModel(3, units, units)
        const macs = macsPerStep(model)
        const paths: LayerPath[] = ["flash-matrices", "unrolled-flash", ...(macs <= SPECIALIZED_MAX_MACS ? ["literal-code" as const] : [])]
        for (const path of paths) {
            const module = `m${units}${path.replace(/-/g, "_")}`
            ws.write(`${module}.ts`, emitModule(planModel(model, encoding, path), { libraryImport: WORKSPACE_LIBRARY }))
            variants.push({ name: `LSTM(${units}) ${path}`, path, module, macs })
        }
    }
    const timers = variants.map((v, i) => timer(`time${i}`, v.module, Math.max(1, Math.floor(60_000 / (v.macs * 25 + 3000)))))
    // the calibration loop, its timer and the input sequence of dsrnn bench (tools/device/)
    const entry = ws.program("main.ts", { ROUND_MS, INPUT_SIZE: 3, OUTPUT_SIZE: 1 })
    ws.write(entry, `import * as ds from "@devicescript/core"
import { calibSink, timeCalib } from "./time-calib"
import { nextInput, x, y } from "./bench-input"
import { ROUND_MS } from "./params"
${variants.map(v => `import { model as ${v.module} } from "./${v.module}"`).join("\n")}
${timers.join("\n")}
for (let r = 0; r < ${ROUNDS}; r++) {
    console.log("R calib " + (await timeCalib()))
${variants.map((_, i) => `    console.log("R ${i} " + (await time${i}()))`).join("\n")}
}
console.log("DONE " + calibSink())
`)
    const { binary } = await ws.build(entry)
    const { lines } = await runProgram(binary, { timeoutMs: 600_000, done: l => l.startsWith("DONE"), flashBytes: 512 * 1024 })
    const median = (kind: string) => {
        const v = lines.filter(l => l.startsWith(`R ${kind} `)).map(l => +l.split(" ")[2]).sort((a, b) => a - b)
        return v[v.length >> 1]
    }
    const opcodeMs = median("calib") / CALIBRATION_OPCODES
    console.log(`${encoding} weights, median of ${ROUNDS} interleaved rounds, one VM run, no GC stress (1 opcode = ${(opcodeMs * 1e6).toFixed(1)} ns)`)
    const flashMs = new Map<number, number>()
    variants.forEach((v, i) => {
        const ms = median(String(i))
        if (v.path === "flash-matrices") flashMs.set(v.macs, ms)
        const speedup = flashMs.get(v.macs)! / ms
        console.log(`${v.name.padEnd(24)} ${(ms * 1000).toFixed(0).padStart(7)} us/step  ${(ms / opcodeMs / v.macs).toFixed(1).padStart(5)} opcodes/MAC  ${speedup.toFixed(2)}x flash`)
    })
} finally {
    ws.dispose()
}
process.exit(0)
