// Split-conformal intervals against order statistics worked out by hand.
import { describe, expect, it } from "vitest"
import { calibrateInterval, intervalCoverage } from "../../src/eval/intervals.ts"

describe("split-conformal intervals", () => {
    it("takes the finite-sample ranks of the residuals", () => {
        // 19 residuals -1..17 shuffled; coverage 0.8: a/2 = 0.1, (n + 1) = 20:
        // upper rank ceil(20 * 0.9) = 18 -> 16; lower rank floor(20 * 0.1) = 2 -> 0
        const r = [5, -1, 17, 3, 0, 9, 12, 1, 16, 2, 8, 4, 15, 6, 11, 7, 14, 10, 13]
        const i = calibrateInterval([r], 0.8)
        expect(i).toEqual({ coverage: 0.8, lower: [0], upper: [16] })
    })

    it("clamps to the extremes when there are too few rows for the coverage", () => {
        expect(calibrateInterval([[3, -2, 1]], 0.9)).toEqual({ coverage: 0.9, lower: [-2], upper: [3] })
    })

    it("is one interval per output", () => {
        const i = calibrateInterval([[1, 2, 3], [-10, 0, 10]], 0.5)
        // n = 3, a/2 = 0.25: upper rank ceil(4 * 0.75) = 3, lower rank floor(4 * 0.25) = 1
        expect(i.lower).toEqual([1, -10])
        expect(i.upper).toEqual([3, 10])
    })

    it("measures coverage as the share of actual values inside, bounds included", () => {
        const interval = { coverage: 0.9, lower: [-1], upper: [2] }
        // forecasts 10: inside for actual in [9, 12]
        expect(intervalCoverage(interval, 0, [10, 10, 10, 10], [9, 12, 8.99, 12.01])).toBe(0.5)
    })
})

describe("the interval in model.json", () => {
    it("is checked on load", async () => {
        const { validateModel } = await import("../../src/model/validate.ts")
        const model = (interval: object) => () =>
            validateModel({
                format: "dsrnn-model",
                version: 1,
                inputSize: 1,
                outputSize: 1,
                layers: [{ type: "dense", inputSize: 1, units: 1, activation: "linear", W: [[1]], b: [0] }],
                interval,
            } as never)
        expect(model({ coverage: 0.9, lower: [-1], upper: [1] })).not.toThrow()
        expect(model({ coverage: 0.9, lower: [2], upper: [1] })).toThrow(/interval: output 0 has lower 2 above upper 1/)
        expect(model({ coverage: 1.5, lower: [-1], upper: [1] })).toThrow(/interval.coverage/)
        expect(model({ coverage: 0.9, lower: [-1, 0], upper: [1] })).toThrow(/interval.lower: has 2 values, expected 1/)
    })
})
