/**
 * The settings program of state-store.test.ts: step 3 rows, save, step 2 more
 * (the reference), restore, step the same 2 again; then a state claimed by
 * another model and one whose first chunks are zeroed.
 */
import * as ds from "@devicescript/core"
import { writeSetting } from "@devicescript/settings"
import { CHUNK_BYTES, STATE_KEY_PREFIX, restoreState, saveState } from "./lib/state-store"
import { model } from "./model"

const x = [0.5, -0.25, 1]
const y = [0]
const out = Buffer.alloc(8)
function step(tag: string, t: number) {
    x[0] = 0.5 + 0.1 * t
    model.step(x, y)
    out.setAt(0, "f64", y[0])
    console.log(tag + " " + t + " " + out.toString("hex"))
}
for (let t = 0; t < 3; t++) step("warm", t)
await saveState(model)
for (let t = 3; t < 5; t++) step("ref", t)
model.reset()
console.log("restored " + (await restoreState(model)))
for (let t = 3; t < 5; t++) step("again", t)
model.reset()
step("zero", 3)
// both slots claimed by a model with one more state value
await writeSetting(STATE_KEY_PREFIX + "a", [model.stateSize + 1, model.macs, 1, 0, 0])
await writeSetting(STATE_KEY_PREFIX + "b", [model.stateSize + 1, model.macs, 1, 0, 1])
for (let t = 0; t < 2; t++) step("warm2", t)
console.log("foreign " + (await restoreState(model)))
step("after-foreign", 3)
// two whole saves, then the first chunk of each zeroed
for (let t = 0; t < 2; t++) step("warm3", t)
await saveState(model)
await saveState(model)
const zeroChunk = Buffer.alloc(CHUNK_BYTES).toString("hex")
await writeSetting(STATE_KEY_PREFIX + "a0", zeroChunk)
await writeSetting(STATE_KEY_PREFIX + "b0", zeroChunk)
console.log("corrupt " + (await restoreState(model)))
step("after-corrupt", 3)
console.log("end")
