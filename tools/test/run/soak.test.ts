/**
 * A short soak (the 100,000-step one is tools/scripts/soak.ts): an LSTM and a
 * GRU with i8 weights, 3,000 steps in the VM without GC stress. At every
 * 1,000th step the output is finite and equals the float64 reference of the
 * same i8 weights to 1e-9 (the device computes exactly that model, so only
 * rounding differs), and is within the i8 bound of the Accuracy table in
 * docs/accuracy.md (8e-2) of the original weights. The live heap after 3,000 steps is
 * the heap after 1,000: a step leaves nothing behind.
 */
import { describe, expect, it } from "vitest"
import { randomRecurrentModel } from "../../src/model/random.ts"
import { soak } from "../../src/run/soak.ts"

const STEPS = 3000
const EVERY = 1000

describe("soak in the VM, i8 weights", () => {
    it.each(["lstm", "gru"] as const)("%s(16): finite, within bound at every 1,000th step, heap flat", async cell => {
        const r = await soak(randomRecurrentModel(cell, 3, 16, 7, 0.5), { encoding: "i8", steps: STEPS, every: EVERY })
        expect(r.nonFinite).toBeNull()
        expect(r.checkpoints.map(c => c.step)).toEqual([1000, 2000, 3000])
        for (const c of r.checkpoints) {
            expect(c.device.every(Number.isFinite)).toBe(true)
            expect(c.quantizedError, `step ${c.step}`).toBeLessThan(1e-9)
            expect(c.floatError, `step ${c.step}`).toBeLessThan(8e-2)
        }
        // the checkpoints differ, so the model did not stall or stop at zero
        expect(new Set(r.checkpoints.map(c => c.device[0])).size).toBe(3)
        expect(r.heapLong).toBe(r.heapShort)
    })
})
