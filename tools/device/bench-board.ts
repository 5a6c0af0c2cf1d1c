/**
 * The benchmark `dsrnn bench --board` writes for a board whose console is all
 * we see: the rounds of bench.ts, reduced on the device to medians and
 * printed as figures. Without NAIVE (both steps do not fit the board's
 * image) naive.ts is the stand-in of absent.ts.
 */
import { CALIBRATION_OPCODES } from "./calib"
import { calibSink, timeCalib } from "./time-calib"
import { timeOurs } from "./time-ours"
import { timeNaive } from "./time-naive"
import { MACS, NAIVE, ROUNDS } from "./params"

const calibMs: number[] = []
const oursMs: number[] = []
const naiveMs: number[] = []
function median(v: number[]) {
    v.sort((a, b) => a - b)
    return v[v.length >> 1]
}

for (let r = 0; r < ROUNDS; r++) {
    calibMs.push(await timeCalib())
    oursMs.push(await timeOurs())
    if (NAIVE) naiveMs.push(await timeNaive())
}
const opcodeMs = median(calibMs) / CALIBRATION_OPCODES
const ours = median(oursMs)
console.log("dsrnn bench: ours " + Math.round(ours * 1000) + " us/step, " + Math.round(ours / opcodeMs) + " opcodes/step, " + Math.round((10 * ours) / opcodeMs / MACS) / 10 + " opcodes/MAC")
if (NAIVE) {
    const naive = median(naiveMs)
    console.log("dsrnn bench: naive " + Math.round(naive * 1000) + " us/step, speedup " + Math.round((100 * naive) / ours) / 100 + "x")
} else console.log("dsrnn bench: naive does not fit this board next to ours")
console.log("DONE " + calibSink())
