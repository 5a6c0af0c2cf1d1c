/**
 * The timing program of `dsrnn bench --target pico` (pico/bench.ts drives
 * it): each code path's step between two marker lines, which the emulator
 * stamps with cycles and VM opcodes. Per path: one warm-up step (the first is
 * up to 40% slower), then ROUNDS times "B <path>", one step, "E <path>"; and
 * first an empty pair, whose cost the host subtracts. A path left out of the
 * image has the stand-in of absent.ts, and its flag is false.
 */
import * as ds from "@devicescript/core"
import { model as flash } from "./path-flash"
import { model as unrolled } from "./path-unrolled"
import { model as literal } from "./path-literal"
import { naive } from "./naive"
import { nextInput, x, y } from "./bench-input"
import { FLASH, LITERAL, NAIVE, ROUNDS, UNROLLED } from "./params"

async function timed(name: string, step: () => Promise<void>) {
    nextInput()
    await step()
    for (let r = 0; r < ROUNDS; r++) {
        nextInput()
        await ds.sleep(0)
        console.log("B " + name)
        await step()
        console.log("E " + name)
    }
}

/** The step of a model module on the path it was emitted for: in one go when it fits a slice, as a board runs it. */
function stepOf(m: typeof flash) {
    if (m.fitsStep()) return async () => m.step(x, y)
    return async () => await m.stepAsync(x, y)
}

async function main() {
    await timed("empty", async () => {})
    if (NAIVE) await timed("naive", async () => naive.step(x, y))
    if (FLASH) await timed("flash-matrices", stepOf(flash))
    if (UNROLLED) await timed("unrolled-flash", stepOf(unrolled))
    if (LITERAL) await timed("literal-code", stepOf(literal))
    console.log("DONE")
}
await main()
