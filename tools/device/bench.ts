/**
 * The timing program of `dsrnn bench` (run/bench.ts drives it): ROUNDS
 * interleaved rounds of the calibration loop and of each step timed (OURS,
 * NAIVE), one "R <kind> <ms>" line per round and kind. A step not timed has
 * a stand-in module (absent.ts), so that its code is not in the image.
 */
import { calibSink, timeCalib } from "./time-calib"
import { timeOurs } from "./time-ours"
import { timeNaive } from "./time-naive"
import { NAIVE, OURS, ROUNDS } from "./params"

for (let r = 0; r < ROUNDS; r++) {
    console.log("R calib " + (await timeCalib()))
    if (OURS) console.log("R ours " + (await timeOurs()))
    if (NAIVE) console.log("R naive " + (await timeNaive()))
}
console.log("DONE " + calibSink())
