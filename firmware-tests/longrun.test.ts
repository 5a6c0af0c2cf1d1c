import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { Lstm, Model } from "../src/index"
import { lstmI8 } from "./fixtures/lstm_i8.g"

describe("long run", () => {
    test("10,000 steps: outputs finite, |h| <= 1, cell state bounded", async () => {
        const m: Model = lstmI8.model
        const lstm = m.layers[0] as Lstm
        m.reset()
        const x = [0, 0, 0]
        const y = [0]
        let maxC = 0
        for (let t = 0; t < 10000; t++) {
            // a noisy sensor-like signal, in and beyond the training range
            x[0] = 3 * (Math.abs((t % 400) - 200) / 100 - 1) // slow triangle
            x[1] = ((t * 7919) % 13) / 6.5 - 1 // noise
            x[2] = t % 200 < 100 ? 5 : -5 // square wave beyond the usual range
            m.step(x, y)
            if (!(Math.abs(y[0]) < 1e6)) throw new Error(`step ${t}: output ${y[0]}`)
            for (let j = 0; j < lstm.units; j++) {
                const h = lstm.state[0][j]
                if (!(Math.abs(h) <= 1)) throw new Error(`step ${t}: h[${j}] = ${h}`)
                maxC = Math.max(maxC, Math.abs(lstm.state[1][j]))
            }
            if (t % 10 === 0) await ds.sleep(0)
        }
        console.log(`max |c| over 10,000 steps: ${maxC}`)
        // |c_t| <= |c_{t-1}| + 1 at most; a sane cell stays far below the step count
        expect(maxC < 100).toBe(true)
    })
})
