/**
 * dsrnn bench produces its figures (no assertion on speed: machines are
 * shared), and the board benchmark program runs and prints them itself.
 */
import { describe, expect, test } from "vitest"
import { bench, writeBoardBench } from "../../src/run/bench.ts"
import { planModel } from "../../src/emit/plan.ts"
import { randomLstmModel } from "../../src/model/random.ts"
import { runProgram } from "../../src/run/vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../../src/run/workspace.ts"


describe("dsrnn bench", () => {
    test("measures both steps, heap and image in the VM", async () => {
        const f = await bench(planModel(randomLstmModel(2, 4, 3), "i8", "literal-code"))
        expect(f.macs).toBe(4 * 4 * 6 + 4)
        expect(f.ours.usPerStep).toBeGreaterThan(0)
        expect(f.ours.opcodesPerMac).toBeGreaterThan(1)
        expect("usPerStep" in f.naive).toBe(true)
        // weights in flash against weights in RAM: the naive model must take more heap
        if ("heapBytes" in f.naive) expect(f.naive.heapBytes).toBeGreaterThan(f.ours.heapBytes)
        expect(f.ours.heapBytes).toBeGreaterThan(0)
        expect(f.ours.imageBytes).toBeGreaterThan(1000)
    }, 120_000)

    test("the board program prints the figures on its own console", async () => {
        const ws = new Workspace()
        try {
            const files = await writeBoardBench(planModel(randomLstmModel(2, 4, 3), "i8", "literal-code"), ws.dir, WORKSPACE_LIBRARY, 110_000)
            expect(files.withNaive).toBe(true)
            const { binary } = await ws.build("main.ts")
            const { lines } = await runProgram(binary, { timeoutMs: 60_000, done: l => l.startsWith("DONE") })
            expect(lines.join("\n")).toMatch(/dsrnn bench: ours \d+ us\/step, \d+ opcodes\/step, [\d.]+ opcodes\/MAC/)
            expect(lines.join("\n")).toMatch(/dsrnn bench: naive \d+ us\/step, speedup [\d.]+x/)
        } finally {
            ws.dispose()
        }
    }, 120_000)
})
