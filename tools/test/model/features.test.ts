// Derived inputs on the host (model/features.ts) against values worked out by
// hand, and the reference model's residual base when it is the seasonal value.
import { describe, expect, it } from "vitest"
import { CANONICAL_FORMAT, CANONICAL_VERSION, type CanonicalModel } from "../../src/model/canonical.ts"
import { cyclePhase, deriveInputs, derivedNames, readingCount } from "../../src/model/features.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { validateModel } from "../../src/model/validate.ts"

/** A model whose network passes input `pass` straight through: Dense(1) with weight 1 on it. */
function passThrough(inputSize: number, pass: number, extra: Partial<CanonicalModel>): CanonicalModel {
    return validateModel({
        format: CANONICAL_FORMAT,
        version: CANONICAL_VERSION,
        inputSize,
        outputSize: 1,
        layers: [{ type: "dense", inputSize, units: 1, activation: "linear", W: [Array.from({ length: inputSize }, (_, j) => (j === pass ? 1 : 0))], b: [0] }],
        ...extra,
    } as CanonicalModel)
}

describe("derived inputs", () => {
    it("change and seasonal value, by hand", () => {
        // readings (a, b); change of b, season of a with period 3, horizon 1: a from 2 rows back
        const model = passThrough(4, 0, { period: 3, horizon: 1, inputNames: ["a", "b"], features: { change: [1], season: [0] } })
        expect(readingCount(model)).toBe(2)
        expect(derivedNames(model)).toEqual(["b change", "a 2 rows ago"])
        const rows = [
            [1, 10],
            [2, 13],
            [3, 11],
            [4, 20],
        ]
        expect(deriveInputs(model, rows)).toEqual([
            [1, 10, 0, 1], // first row: no change yet, the oldest reading stands in for the season
            [2, 13, 3, 1],
            [3, 11, -2, 1],
            [4, 20, 9, 2],
        ])
    })

    it("the change over a season: the reading minus the one a whole season back, by hand", () => {
        // period 3, horizon 1: season value 2 rows back, seasonal change over 3 rows
        const model = passThrough(3, 0, { period: 3, horizon: 1, features: { season: [0], seasonChange: [0] } })
        const rows = [[1], [2], [4], [7], [11]]
        expect(deriveInputs(model, rows)).toEqual([
            [1, 1, 0], // the oldest reading stands in until the ring fills
            [2, 1, 1],
            [4, 1, 3],
            [7, 2, 6],
            [11, 4, 9],
        ])
        expect(derivedNames({ ...model, inputNames: ["a"] })).toEqual(["a 2 rows ago", "a change over 3 rows"])
        expect(() => passThrough(2, 0, { period: 3, features: { seasonChange: [0] } })).toThrow(/features.seasonChange: lists reading 0, which features.season does not/)
    })

    it("a horizon of a whole season looks back 0 rows, and a longer one the rest of the season", () => {
        const rows = [[5], [6], [7], [8], [9]]
        const atSeason = passThrough(2, 1, { period: 2, horizon: 2, features: { season: [0] } })
        expect(deriveInputs(atSeason, rows).map(r => r[1])).toEqual([5, 6, 7, 8, 9])
        const threeAhead = passThrough(2, 1, { period: 2, horizon: 3, features: { season: [0] } })
        // lag 4 rows from t + 3: one row back from t
        expect(deriveInputs(threeAhead, rows).map(r => r[1])).toEqual([5, 5, 6, 7, 8])
    })

    it("calendar phases from UTC times: hour of day, Monday-based week, mean year", () => {
        const hour = 3_600_000
        const day = 24 * hour
        // 1970-01-05 was a Monday: week phase 0 at its midnight, 1/7 a day later
        expect(cyclePhase("week", 4 * day)).toBeCloseTo(0, 15)
        expect(cyclePhase("week", 5 * day)).toBeCloseTo(1 / 7, 15)
        expect(cyclePhase("day", Date.UTC(2024, 2, 1, 18))).toBeCloseTo(0.75, 15)
        expect(cyclePhase("day", -6 * hour)).toBeCloseTo(0.75, 15)
        expect(cyclePhase("year", 365.2425 * day * 10 + 365.2425 * day * 0.25)).toBeCloseTo(0.25, 9)
        const model = passThrough(3, 0, { features: { calendar: ["day"], rowMs: hour } })
        const [x] = deriveInputs(model, [[7]], [Date.UTC(2024, 2, 1, 6)])
        expect(x[0]).toBe(7)
        expect(x[1]).toBeCloseTo(1, 15) // sin(pi / 2) at 06:00
        expect(x[2]).toBeCloseTo(0, 15)
        expect(() => deriveInputs(model, [[7]])).toThrow(/one time per row/)
    })

    it("residual from the seasonal value adds the reading one season back", () => {
        // the network outputs its change input (index 1); the base is the season input (index 2)
        const model = passThrough(3, 1, { period: 2, horizon: 1, features: { change: [0], season: [0] }, residual: [0], residualBase: "season" })
        const y = new ReferenceModel(model).run([[1], [4], [9], [16]]).map(r => r[0])
        // change + value one row back: 0 + 1, 3 + 1, 5 + 4, 7 + 9
        expect(y).toEqual([1, 4, 9, 16])
    })

    it("rejects bad feature sets with the field named", () => {
        const bad = (f: object, extra: object = {}, size = 2) => () => passThrough(size, 0, { features: f, ...extra } as Partial<CanonicalModel>)
        expect(bad({ change: [1] })).toThrow(/features.change.*not a reading index/)
        expect(bad({ season: [0] })).toThrow(/features.season.*period/)
        expect(bad({ calendar: ["toString"], rowMs: 1 }, {}, 3)).toThrow(/features.calendar/)
        expect(bad({ calendar: ["day"] }, {}, 3)).toThrow(/rowMs/)
        expect(bad({ change: [0, 0] })).toThrow(/leaving no reading/)
        expect(bad({ change: [0] }, { residual: [0], residualBase: "season" })).toThrow(/residualBase.*features.season/)
    })
})
