/**
 * The timed steps' input and output (bench.ts, bench-board.ts): nextInput()
 * moves x to the next of a sequence that never repeats within a round.
 */
import { zeros } from "./lib/index"
import { INPUT_SIZE, OUTPUT_SIZE } from "./params"

export const x = zeros(INPUT_SIZE)
export const y = zeros(OUTPUT_SIZE)
let t = 0

export function nextInput() {
    t++
    for (let j = 0; j < x.length; j++) x[j] = ((t * (j + 7)) % 19) / 9.5 - 1
}
