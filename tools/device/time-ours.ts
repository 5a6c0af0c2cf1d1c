/** Times our step (./model) in whole watchdog slices of OURS_PER_SLICE steps until ROUND_MS have passed; returns ms per step. */
import * as ds from "@devicescript/core"
import { model } from "./model"
import { nextInput, x, y } from "./bench-input"
import { OURS_PER_SLICE, ROUND_MS } from "./params"

export async function timeOurs() {
    const big = !model.fitsStep()
    await ds.sleep(0)
    const t0 = ds.millis()
    let n = 0
    while (ds.millis() - t0 < ROUND_MS) {
        for (let i = 0; i < OURS_PER_SLICE; i++) {
            nextInput()
            if (big) await model.stepAsync(x, y)
            else model.step(x, y)
        }
        n += OURS_PER_SLICE
        await ds.sleep(0)
    }
    return (ds.millis() - t0) / n
}
