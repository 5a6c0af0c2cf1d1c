/**
 * The reading limits (stuck, jump) and the injected events, against values
 * worked out by hand. The device's ReadingCheck is checked against the same
 * kind of hand-counted bits in the VM (firmware-tests/forecaster.test.ts).
 * The events run a persistence model (a dense layer copying its one input):
 * its forecast for row t is the reading at t - 1, so each error is worked
 * out from the injected rows alone.
 */
import { describe, expect, it } from "vitest"
import { READING_JUMP, READING_STUCK, calibrateReadingLimits, readingKinds } from "../../src/eval/reading-limits.ts"
import { EVENT_SIGMAS, scoreEvents } from "../../src/eval/events.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { STALE_WINDOW, calibrateStale, staleFlags } from "../../src/eval/stale.ts"

describe("reading limits from the training rows", () => {
    // a: runs of 3, 2, 1, 2 (longest 3), largest change 4; b: 0, then 7 fives (largest change 5)
    const rows = [
        [1, 0],
        [1, 5],
        [1, 5],
        [3, 5],
        [3, 5],
        [1.5, 5],
        [5.5, 5],
        [5.5, 5],
    ]

    it("stuck after the longest run plus max(2, half of it), a jump above 1.5 x the largest change", () => {
        // a: longest run 3 -> max(5, 4.5 -> 5) = 5, largest change 4 -> 6; b: run 7 -> max(9, 10.5 -> 11) = 11, change 5 -> 7.5
        expect(calibrateReadingLimits(rows, 2)).toEqual({ stuckRows: [5, 11], maxChange: [6, 7.5] })
        // only the readings: a third column (a derived input, say) is not read
        expect(calibrateReadingLimits(rows.map(r => [...r, 99]), 2)).toEqual({ stuckRows: [5, 11], maxChange: [6, 7.5] })
    })

    it("flags each row as the device's ReadingCheck does: the stuck bit from the run's limit-th reading, the jump bit above the limit", () => {
        const limits = { stuckRows: [3, 0], maxChange: [4, 1.5] }
        // the firmware test's rows, and its hand-counted bits
        const readings = [[1, 0], [1, 1], [1, 2], [2, 4], [2, 4.5], [2, 4.5], [2, 4.5], [9, 4.5], [3, 3]]
        const S = READING_STUCK
        const J = READING_JUMP
        expect(readingKinds(readings, limits)).toEqual([0, 0, S, J, 0, S, S, J, J])
        expect(readingKinds(readings, { stuckRows: [0, 0], maxChange: [0, 0] })).toEqual(Array(9).fill(0))
    })
})

/** One input copied to one output: a forecast equal to the current reading (persistence). */
const PERSISTENCE: CanonicalModel = {
    format: "dsrnn-model",
    version: 1,
    inputSize: 1,
    outputSize: 1,
    layers: [{ type: "dense", inputSize: 1, units: 1, activation: "linear", W: [[1]], b: [0] }],
    inputNames: ["x"],
    outputNames: ["x"],
    horizon: 1,
}

describe("injected events, scored with the rule and the limits", () => {
    // a sine of period 100 rows: standard deviation 1 / sqrt 2, so every event is 3 / sqrt 2 = 2.12;
    // persistence misses a clean row by at most 2 pi / 100 = 0.063
    const values = Array.from({ length: 400 }, (_, t) => Math.sin((2 * Math.PI * t) / 100))
    const data = { inputs: values.map(v => [v]), target: values }
    const model = (extra: Partial<CanonicalModel>): CanonicalModel => ({ ...PERSISTENCE, ...extra })
    const kindOf = (events: ReturnType<typeof scoreEvents>, k: string) => events.find(e => e.kind === k)!

    it("1 of 1 over 0.5: spikes and level shifts on their first row (error 2.12 +- 0.063); a stuck run (error 0) only at its end; a drift (2.12 / 48 + 0.063 a row) too", () => {
        const events = scoreEvents(model({ anomaly: { threshold: 0.5, percentile: 100 } }), data, 0)
        expect(EVENT_SIGMAS).toBe(3)
        // events start at row 48, then every 96 rows while the event and 3 rows after it fit in 400: 48, 144, 240, 336
        expect(kindOf(events, "spike")).toMatchObject({ count: 4, rows: 1, delays: [0, 0, 0, 0], detectedBy: { residual: 4, stuck: 0, jump: 0 } })
        expect(kindOf(events, "spike").size).toBeCloseTo(3 / Math.SQRT2, 2)
        expect(kindOf(events, "level shift")).toMatchObject({ count: 4, rows: 24, delays: [0, 0, 0, 0] })
        // stuck: only when it ends, the reading back 13 rows on the sine (a change of 0.7 or more here), 12 rows late
        expect(kindOf(events, "stuck")).toMatchObject({ count: 4, rows: 12, size: 0, delays: [12, 12, 12, 12] })
        // the drift likewise only when it snaps back after its 48 rows
        expect(kindOf(events, "slow drift")).toMatchObject({ count: 4, rows: 48, delays: [48, 48, 48, 48] })
    })

    it("2 of 2: a spike a row later (persistence forecasts the spike, and misses the next row by it too); a level shift never (persistence follows it at once)", () => {
        const events = scoreEvents(model({ anomaly: { threshold: 0.5, percentile: 100, debounce: [2, 2] } }), data, 0)
        expect(kindOf(events, "spike").delays).toEqual([1, 1, 1, 1])
        // over on its first row and on the row after its end, never two in a row
        expect(kindOf(events, "level shift").delays).toEqual([])
    })

    it("the stuck limit sees a stuck run at its limit-th equal reading, the last good value included: delay limit - 2", () => {
        const events = scoreEvents(model({ anomaly: { threshold: 0.5, percentile: 100 }, readingLimits: { stuckRows: [3], maxChange: [0] } }), data, 0)
        // a limit of 3 injects runs of 2 x 3 = 6 rows; the run reaches 3 on the event's second row
        expect(kindOf(events, "stuck")).toMatchObject({ rows: 6, delays: [1, 1, 1, 1], detectedBy: { residual: 0, stuck: 4, jump: 0 } })
    })

    it("the jump limit sees a level shift on its first row, and its end", () => {
        const events = scoreEvents(model({ anomaly: { threshold: 0.5, percentile: 100, debounce: [2, 2] }, readingLimits: { stuckRows: [0], maxChange: [1] } }), data, 0)
        expect(kindOf(events, "level shift")).toMatchObject({ delays: [0, 0, 0, 0], detectedBy: { residual: 0, stuck: 0, jump: 4 } })
    })
})

describe("the stale rule on the host, as the device's StaleCheck", () => {
    it("a model that wins, then loses: the firmware test's errors from its row 1, worked out by hand there", () => {
        const model = [0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]
        const persistence = [8, 4, 2, 1, 0, 0, 0, 0]
        expect(staleFlags(model, persistence, { window: 2, span: 1 })).toEqual([0, 0, 0, 0, 0, 0, 1, 1])
        expect(staleFlags(model, persistence, { window: 2, span: 2 })).toEqual([0, 0, 0, 0, 0, 0, 0, 1])
        expect(staleFlags(model, persistence, { window: 2, span: 0 })).toEqual(Array(8).fill(0))
    })

    it("the span: 1.5 x the longest losing run on validation, plus 1, and at least the window", () => {
        expect(STALE_WINDOW).toBe(48)
        // losing from the first row: runs of 10 and 100
        expect(calibrateStale(Array(10).fill(1), Array(10).fill(0))).toEqual({ window: 48, span: 48 })
        expect(calibrateStale(Array(100).fill(1), Array(100).fill(0))).toEqual({ window: 48, span: 151 })
        expect(calibrateStale(Array(100).fill(0), Array(100).fill(1))).toEqual({ window: 48, span: 48 })
    })
})
