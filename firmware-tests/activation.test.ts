import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { Act, activate, zeros } from "../src/index"
import { sigmoids, tanhs, xs } from "./fixtures/activations.g"

// Largest |device - float64| over x in [-20, 20], step 0.05 (docs/device-api.md quotes it).
async function maxError(act: Act, expected: Buffer) {
    // a fresh watchdog budget: 801 evaluations do not fit in what the previous test left
    await ds.sleep(0)
    const n = xs.length / 8
    const v = zeros(n)
    for (let i = 0; i < n; i++) v[i] = xs.getAt(8 * i, "f64")
    activate(v, 0, n, act)
    let worst = 0
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(v[i] - expected.getAt(8 * i, "f64")))
    console.log(`max error ${worst}`)
    return worst
}

describe("activations against float64", () => {
    test("sigmoid within 1e-15", async () => {
        expect((await maxError(Act.Sigmoid, sigmoids)) <= 1e-15).toBe(true)
    })
    test("tanh within 1e-15", async () => {
        expect((await maxError(Act.Tanh, tanhs)) <= 1e-15).toBe(true)
    })
    test("saturation gives exact limits, never NaN", () => {
        const v = [-1e6, 1e6, -800, 800]
        activate(v, 0, 4, Act.Tanh)
        expect(v[0]).toBe(-1)
        expect(v[1]).toBe(1)
        const s = [-1e6, 1e6]
        activate(s, 0, 2, Act.Sigmoid)
        expect(s[0]).toBe(0)
        expect(s[1]).toBe(1)
    })
    test("hard sigmoid, relu, softmax", () => {
        const h = [-3, -1, 0, 1, 3]
        activate(h, 0, 5, Act.HardSigmoid)
        expect(h[0]).toBe(0)
        expect(Math.abs(h[1] - 0.3) < 1e-15).toBe(true)
        expect(h[2]).toBe(0.5)
        expect(Math.abs(h[3] - 0.7) < 1e-15).toBe(true)
        expect(h[4]).toBe(1)
        const r = [-2, 0, 2]
        activate(r, 0, 3, Act.Relu)
        expect(r[0] + r[1] + r[2]).toBe(2)
        // softmax of [1, 2, 3] = e^k / (e + e^2 + e^3), computed by hand
        const s = [1000, 1, 2, 3]
        activate(s, 1, 4, Act.Softmax)
        expect(s[0]).toBe(1000)
        expect(Math.abs(s[1] - 0.09003057317038046) < 1e-15).toBe(true)
        expect(Math.abs(s[3] - 0.6652409557748219) < 1e-15).toBe(true)
    })
})
