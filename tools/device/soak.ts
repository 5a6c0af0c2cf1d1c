/**
 * The soak run (run/soak.ts drives it): STEPS steps from zero state on
 * soakInput, the output every EVERY steps as f64 hex, a suspension every
 * PER_SLICE steps, then the live heap.
 */
import * as ds from "@devicescript/core"
import { zeros } from "./lib/index"
import { model } from "./model"
import { soakInput } from "./soak-input"
import { EVERY, PER_SLICE, STEPS } from "./params"

const x = zeros(model.inputSize)
const y = zeros(model.outputSize)
const out = Buffer.alloc(8 * model.outputSize)
const useAsync = !model.fitsStep()
async function main() {
    for (let t = 0; t < STEPS; t++) {
        for (let j = 0; j < x.length; j++) x[j] = soakInput(t, j)
        if (useAsync) await model.stepAsync(x, y)
        else model.step(x, y)
        for (let j = 0; j < y.length; j++) {
            if (!(Math.abs(y[j]) < Infinity)) {
                console.log("NONFINITE " + t)
                return
            }
        }
        if ((t + 1) % EVERY === 0) {
            for (let j = 0; j < y.length; j++) out.setAt(8 * j, "f64", y[j])
            console.log("Y " + (t + 1) + " " + out.toString("hex"))
        }
        if (t % PER_SLICE === 0) await ds.sleep(0)
    }
}
await main()
console.log("END")
// heap-probe.ts's probe, at the top level: called as a function, the report
// differed by 4-8 B between a short and a long run (measured), here it does not
const hog = Buffer.alloc(20000)
const more = Buffer.alloc(57000)
console.log("" + hog.length + more.length + x.length + y.length + out.length)
