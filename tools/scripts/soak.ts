/**
 * The 100,000-step soak (`npx tsx tools/scripts/soak.ts [steps]`): an LSTM
 * and a GRU with i8 weights run in the VM without GC stress, as a device
 * does. Prints, per model, the largest error against the float64 reference
 * at the checkpoints (every 1,000th step) and the live heap after 1,000 steps
 * and after all of them. tools/test/run/soak.test.ts runs a short one.
 */
import { choosePlan } from "../src/emit/plan.ts"
import { randomRecurrentModel } from "../src/model/random.ts"
import { soak } from "../src/run/soak.ts"

const steps = Number(process.argv[2] ?? 100_000)
for (const cell of ["lstm", "gru"] as const) {
    const model = randomRecurrentModel(cell, 3, 16, 7, 0.5)
    const { plan } = choosePlan(model, "i8", undefined)
    const started = Date.now()
    const r = await soak(model, { encoding: "i8", plan, steps, every: 1000, onStatus: s => console.error(`${cell}: ${s}...`) })
    const worst = (k: "quantizedError" | "floatError") => Math.max(...r.checkpoints.map(c => c[k]))
    const ys = r.checkpoints.map(c => c.device[0])
    console.log(`${cell}(16) > dense(1), 3 inputs, i8, --specialize auto: ${steps} steps in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    console.log(`  non-finite output: ${r.nonFinite ?? "none"}; outputs at the ${r.checkpoints.length} checkpoints range ${Math.min(...ys).toFixed(3)} to ${Math.max(...ys).toFixed(3)}`)
    console.log(`  max error vs float64 reference of the same i8 weights: ${worst("quantizedError").toExponential(2)}`)
    console.log(`  max error vs float64 reference of the original weights: ${worst("floatError").toExponential(2)}`)
    console.log(`  live heap after 1,000 steps: ${r.heapShort} B, after ${steps}: ${r.heapLong} B`)
}
