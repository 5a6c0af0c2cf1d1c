/**
 * train on small synthetic series, where the right answer is known: a sine
 * the network can learn, whose persistence error is worked out by hand; the
 * same seed gives the same bytes. The helpers are checked against values
 * computed by hand (percentile as numpy's default linear rule).
 */
import { describe, expect, it } from "vitest"
import { canonicalJson } from "../../src/import/import-model.ts"
import { seededRandom } from "../../src/model/random.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { percentile } from "../../src/eval/anomaly.ts"
import type { Columns } from "../../src/io/columns.ts"
import { detectPeriod } from "../../src/train/season.ts"
import { parseDerived } from "../../src/train/candidates.ts"
import { train } from "../../src/train/train.ts"

/** 100 + 10 sin(2 pi t / 16): the next value is a fixed function of the last two. */
function sine(n: number): Columns {
    const target = Array.from({ length: n }, (_, t) => 100 + 10 * Math.sin((2 * Math.PI * t) / 16))
    return { inputNames: ["level"], inputs: target.map(v => [v]), target, lines: target.map((_, t) => t + 2), notes: [] }
}

describe("train", () => {
    it("forecasts a sine in real units far better than persistence, streamed from zero state", async () => {
        const data = sine(400)
        const { model, validation } = await train(data, { target: "level", targetMode: "level", derived: parseDerived("none"), epochs: 40, window: 32, seed: 3 }, "test")
        expect(model.outputNames).toEqual(["level"])
        expect(model.residual).toBeUndefined()
        const pred = new ReferenceModel(model).run(validation.inputs).map(y => y[0])
        const err = (t: number) => pred[t] - validation.target[t + 1]
        // skip the first steps after the reset, where the state is still zero
        const rows = Array.from({ length: validation.target.length - 9 }, (_, i) => i + 8)
        const rmse = Math.sqrt(rows.reduce((s, t) => s + err(t) ** 2, 0) / rows.length)
        // persistence misses by 10 (sin(a + 2pi/16) - sin a), an RMS of 10 * 2 sin(pi/16) / sqrt(2) = 2.76
        expect(10 * 2 * Math.sin(Math.PI / 16) / Math.SQRT2).toBeCloseTo(2.759, 3)
        expect(rmse).toBeLessThan(0.25 * 2.759)
    }, 60_000)

    it("is deterministic: the same seed writes the same model, another seed another one", async () => {
        const data = sine(160)
        const run = (seed: number) => train(data, { target: "level", epochs: 2, window: 16, seed }, "test").then(r => canonicalJson(r.model))
        const a = await run(5)
        expect(await run(5)).toBe(a)
        expect(await run(6)).not.toBe(a)
    }, 60_000)

    it("auto keeps the candidate that streams best, and records every candidate and the choice", async () => {
        const r = await train(sine(160), { target: "level", epochs: 3, window: 16, seed: 1 }, "test")
        const { outcomes, chosen } = r.selection
        // the sine's 16-row period is found, so 11 candidates: level and change over 4 input sets, season over 2, statistical over 1
        expect(outcomes.map(o => o.label)).toEqual([
            "level, readings",
            "level, readings + change",
            "level, readings + change + season",
            "level, readings + change + season + ARIMA",
            "change, readings",
            "change, readings + change",
            "change, readings + change + season",
            "change, readings + change + season + ARIMA",
            "season, readings + change + season",
            "season, readings + change + season + ARIMA",
            "statistical, readings + change + season + ARIMA",
        ])
        expect(outcomes[chosen].rmse).toBe(Math.min(...outcomes.map(o => o.rmse)))
        const record = r.model.training!
        expect(record.candidates).toEqual(outcomes)
        expect(record.epochs.map(e => e.streamRmse)).toHaveLength(outcomes[chosen].epochs)
        expect(Math.min(...record.epochs.map(e => e.streamRmse))).toBe(outcomes[chosen].rmse)
        const target = record.chosen!.target
        expect(outcomes[chosen].label.startsWith(`${target},`)).toBe(true)
        expect(r.model.residual).toEqual(target === "level" ? undefined : [0])
        expect(r.model.period).toBe(16)
    }, 60_000)

    it("on a strongly periodic series the change from the seasonal naive forecast wins, and the model file runs as it was scored", async () => {
        // a 12-row cycle with a sharp shape (two harmonics) plus noise: the value a season ago says most
        const noise = seededRandom(7)
        const target = Array.from({ length: 240 }, (_, t) => 50 + 10 * Math.sin((2 * Math.PI * t) / 12) + 6 * Math.sin((6 * Math.PI * t) / 12) + 0.2 * (noise() - 0.5))
        const data: Columns = { inputNames: ["level"], inputs: target.map(v => [v]), target, lines: target.map((_, t) => t + 2), notes: [] }
        const r = await train(data, { target: "level", epochs: 8, window: 16, seed: 1 }, "test")
        expect(r.model.period).toBe(12)
        expect(r.model.training!.chosen!.target).toBe("season")
        expect(r.model.residualBase).toBe("season")
        expect(r.model.features!.season).toEqual([0])
        // the output is the change from the value 12 rows before the forecast row, over the 192 training rows after the
        // 12-row warm-up (the airline model at 12, an input of other candidates, reaches 13 rows back: its first forecast is
        // made at row 12): y[t + 1] - y[t - 11] for t = 12..190, scaled by its RMS and not centred (mean 0 forecasts the seasonal naive)
        const changes = Array.from({ length: 179 }, (_, i) => target[i + 13] - target[i + 1])
        expect(r.model.outputNormalization).toEqual({ mean: [0], std: [Math.sqrt(changes.reduce((s, c) => s + c * c, 0) / 179)] })
        // the float64 reference on model.json, streamed over the validation rows from zero state and scored from
        // row 12, after the same warm-up, gives the RMSE training chose it by
        const pred = new ReferenceModel(r.model).run(r.validation.inputs).map(y => y[0])
        const v = r.validation.target
        const rows = Array.from({ length: v.length - 1 - 12 }, (_, i) => i + 12)
        const rmse = Math.sqrt(rows.reduce((s, t) => s + (pred[t] - v[t + 1]) ** 2, 0) / rows.length)
        expect(rmse).toBeCloseTo(r.streamRmse, 4)
        // persistence, by hand on the same rows, is far worse
        const persistence = Math.sqrt(rows.reduce((s, t) => s + (v[t] - v[t + 1]) ** 2, 0) / rows.length)
        expect(rmse).toBeLessThan(0.2 * persistence)
    }, 120_000)

    it("refuses too few rows for the split and the window in one line", async () => {
        await expect(train(sine(20), { target: "level" }, "test")).rejects.toThrow(/^only 20 usable rows: training needs at least \d+/)
    })
})

describe("train helpers", () => {
    it("percentile interpolates linearly between order statistics (numpy's default)", () => {
        expect(percentile([4, 1, 3, 2], 50)).toBe(2.5)
        // position 3 * 0.995 = 2.985 -> 3 + 0.985 * (4 - 3)
        expect(percentile([4, 1, 3, 2], 99.5)).toBeCloseTo(3.985, 12)
        expect(percentile([7], 99.5)).toBe(7)
    })

    it("detectPeriod finds a daily cycle under a trend, and none in a straight line with a bump", () => {
        const noise = seededRandom(4)
        const daily = Array.from({ length: 24 * 20 }, (_, t) => 0.05 * t + 5 * Math.sin((2 * Math.PI * t) / 24) + 0.3 * noise())
        expect(detectPeriod(daily)).toBe(24)
        expect(detectPeriod(Array.from({ length: 100 }, (_, t) => 2 * t + (t === 50 ? 3 : 0)))).toBeNull()
    })
})
