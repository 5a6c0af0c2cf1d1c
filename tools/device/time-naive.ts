/** Times the naive baseline's step (./naive) in whole watchdog slices of NAIVE_PER_SLICE steps until ROUND_MS have passed; returns ms per step. */
import * as ds from "@devicescript/core"
import { naive } from "./naive"
import { nextInput, x, y } from "./bench-input"
import { NAIVE_PER_SLICE, ROUND_MS } from "./params"

export async function timeNaive() {
    await ds.sleep(0)
    const t0 = ds.millis()
    let n = 0
    while (ds.millis() - t0 < ROUND_MS) {
        for (let i = 0; i < NAIVE_PER_SLICE; i++) {
            nextInput()
            naive.step(x, y)
        }
        n += NAIVE_PER_SLICE
        await ds.sleep(0)
    }
    return (ds.millis() - t0) / n
}
