/**
 * Times the calibration loop (calib.ts) as the bench times a step: whole
 * watchdog slices, here one call of 8,000 rounds each, until ROUND_MS have
 * passed; returns ms per round. time-ours.ts and time-naive.ts time the steps
 * the same way, each in its own loop so that no step pays for a branch.
 */
import * as ds from "@devicescript/core"
import { calib } from "./calib"
import { ROUND_MS } from "./params"

const PER_SLICE = 8000
let sink = 0

export async function timeCalib() {
    await ds.sleep(0)
    const t0 = ds.millis()
    let n = 0
    while (ds.millis() - t0 < ROUND_MS) {
        sink += calib(PER_SLICE)
        n += PER_SLICE
        await ds.sleep(0)
    }
    return (ds.millis() - t0) / n
}

/** The loops' sums, printed at the end so that no round is optimised away. */
export function calibSink() {
    return sink
}
