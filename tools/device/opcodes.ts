/**
 * Counts the opcodes of one Model.step with the watchdog (run/opcodes.ts
 * drives it): after a suspension, STEPS steps and then ROUNDS rounds of the
 * calibration loop, in one slice. Both numbers are read from PATCH, which the
 * host rewrites in the built image, so one build serves the whole search.
 */
import * as ds from "@devicescript/core"
import { Model, zeros } from "./lib/index"
import { model } from "./model"
import { calib } from "./calib"
import { PATCH, PATCH_AT } from "./params"

// told it costs 1 opcode, so that step() runs models it would refuse
const counted = new Model(model.layers, 1)
const x = zeros(model.inputSize)
const y = zeros(model.outputSize)
async function main() {
    for (let j = 0; j < x.length; j++) x[j] = 0.3 * j - 0.2
    const steps = PATCH.getAt(PATCH_AT, "u32")
    const rounds = PATCH.getAt(PATCH_AT + 4, "u32")
    await ds.sleep(0)
    for (let i = 0; i < steps; i++) counted.step(x, y)
    const sum = calib(rounds)
    await ds.sleep(0)
    console.log("DONE " + sum)
}
await main()
