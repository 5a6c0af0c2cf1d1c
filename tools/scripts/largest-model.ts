/**
 * Finds the largest LSTM(H units, 3 inputs) + Dense(1) that builds, fits the
 * simulator's heap and image (the RP2040 budget) and steps without tripping
 * the watchdog: ours (flash matrices, unrolled flash and specialised code) against the naive
 * baseline. Each candidate really runs 3 steps in the VM and reports its
 * time per step. The simulated flash is the RP2040's (about 110 KB of image)
 * unless --flash-kb says otherwise (256 runs the ESP32's 220 KB images).
 * Run: npx tsx tools/scripts/largest-model.ts [variant units...] [--flash-kb N]
 */
import { emitModule } from "../src/emit/emit.ts"
import { planModel } from "../src/emit/plan.ts"
import { emitNaiveModule } from "../src/emit/naive.ts"
import { randomLstmModel } from "../src/model/random.ts"
import { runProgram } from "../src/run/vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../src/run/workspace.ts"


type Variant = "flash" | "unrolled" | "specialised" | "naive"

async function fits(units: number, variant: Variant, flashBytes?: number): Promise<string> {
    const ws = new Workspace()
    try {
        const model = randomLstmModel(3, units, units)
        try {
            ws.write("model.ts", variant === "naive" ? emitNaiveModule(model) : emitModule(planModel(model, "i8", variant === "unrolled" ? "unrolled-flash" : variant === "specialised" ? "literal-code" : "flash-matrices"), { libraryImport: WORKSPACE_LIBRARY }))
        } catch (e) {
            return `does not emit: ${(e as Error).message}`
        }
        const step = variant === "naive" ? "naive.step(x, y)" : "await model.stepAsync(x, y)"
        ws.write("main.ts", `import * as ds from "@devicescript/core"
import { ${variant === "naive" ? "naive" : "model"} } from "./model"
const x = [0.5, -0.5, 1]
const y = [0]
await ds.sleep(0)
const t0 = ds.millis()
for (let i = 0; i < 3; i++) {
    await ds.sleep(0)
    ${step}
}
await ds.sleep(0)
console.log("DONE " + (ds.millis() - t0) / 3 + " " + y[0])
`)
        let binary: Uint8Array
        try {
            binary = (await ws.build("main.ts")).binary
        } catch (e) {
            return `does not build: ${(e as Error).message.split("\n").slice(-1)[0].slice(0, 80)}`
        }
        try {
            const { lines } = await runProgram(binary, { timeoutMs: 60_000, done: l => l.startsWith("DONE"), flashBytes })
            const ms = Number(lines.at(-1)!.split(" ")[1])
            return `ok (${binary.length} B image, ${ms.toFixed(1)} ms/step in the simulator)`
        } catch (e) {
            return `fails: ${(e as Error).message.slice(0, 80)}`
        }
    } finally {
        ws.dispose()
    }
}

const args = process.argv.slice(2)
const flashAt = args.indexOf("--flash-kb")
const flashBytes = flashAt >= 0 ? 1024 * Number(args.splice(flashAt, 2)[1]) : undefined
const candidates: Record<Variant, number[]> = args.length
    ? ({ [args[0]]: args.slice(1).map(Number) } as Record<Variant, number[]>)
    : { flash: [140, 141], unrolled: [140, 141], specialised: [50, 52], naive: [34, 36, 40] }
for (const [variant, sizes] of Object.entries(candidates) as [Variant, number[]][])
    for (const units of sizes) console.log(`${variant.padEnd(12)} LSTM(${units}): ${await fits(units, variant, flashBytes)}`)
process.exit(0)
