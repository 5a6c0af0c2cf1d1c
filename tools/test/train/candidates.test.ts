/**
 * The candidates train chooses among, for given data, written out by hand:
 * which targets and input sets the target's place among the inputs, a period
 * and the rows' times allow, the calendar cycles that fit a spacing and span,
 * and the one-line errors for flags the data cannot meet.
 */
import { describe, expect, it } from "vitest"
import { seededRandom } from "../../src/model/random.ts"
import { type InputSet, calendarCycles, candidateFeatures, candidateLabel, candidateList, derivedFlag, parseDerived, planCandidates } from "../../src/train/candidates.ts"
import { resolveTrainOptions } from "../../src/train/options.ts"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const ctx = (over: Partial<Parameters<typeof candidateList>[0]> = {}) => ({ target: "t", targetIsInput: true, period: 24, cycles: ["day", "week"] as ("day" | "week")[], ...over })
const labels = (...a: Parameters<typeof candidateList>) => candidateList(...a).map(candidateLabel)

describe("candidate list", () => {
    it("auto with a period and times: level and change over five input sets, season over the three with the seasonal value, statistical over the one with the ARIMA forecast", () => {
        expect(labels(ctx(), "auto", "auto")).toEqual([
            "level, readings",
            "level, readings + change",
            "level, readings + change + season",
            "level, readings + change + season + day, week",
            "level, readings + change + season + day, week + ARIMA",
            "change, readings",
            "change, readings + change",
            "change, readings + change + season",
            "change, readings + change + season + day, week",
            "change, readings + change + season + day, week + ARIMA",
            "season, readings + change + season",
            "season, readings + change + season + day, week",
            "season, readings + change + season + day, week + ARIMA",
            "statistical, readings + change + season + day, week + ARIMA",
        ])
    })

    it("without a period there is no season input or target; without times no calendar; with several horizons no ARIMA input", () => {
        expect(labels(ctx({ period: null, cycles: null }), "auto", "auto")).toEqual([
            "level, readings",
            "level, readings + change",
            "level, readings + change + ARIMA",
            "change, readings",
            "change, readings + change",
            "change, readings + change + ARIMA",
            "statistical, readings + change + ARIMA",
        ])
        expect(labels(ctx({ period: null, noStatistical: "several horizons" }), "auto", "auto")).toEqual(["level, readings", "level, readings + change", "level, readings + change + day, week", "change, readings", "change, readings + change", "change, readings + change + day, week"])
    })

    it("a target that is not an input can only be forecast as a level, with calendar inputs at most", () => {
        expect(labels(ctx({ targetIsInput: false }), "auto", "auto")).toEqual(["level, readings", "level, readings + day, week"])
        expect(() => candidateList(ctx({ targetIsInput: false }), "auto", parseDerived("statistical"))).toThrow(/^--derived statistical forecasts the target, so t must be one of --inputs$/)
        expect(labels(ctx({ targetIsInput: false, cycles: null }), "auto", "auto")).toEqual(["level, readings"])
    })

    it("a fixed target or input set narrows the list", () => {
        expect(labels(ctx(), "season", "auto")).toEqual(["season, readings + change + season", "season, readings + change + season + day, week", "season, readings + change + season + day, week + ARIMA"])
        expect(labels(ctx(), "statistical", parseDerived("change,statistical"))).toEqual(["statistical, readings + change + ARIMA"])
        expect(labels(ctx(), "auto", parseDerived("season,day"))).toEqual(["level, readings + season + day", "change, readings + season + day", "season, readings + season + day"])
        expect(labels(ctx(), "level", parseDerived("none"))).toEqual(["level, readings"])
    })

    it("the flags the data cannot meet are one-line errors", () => {
        expect(() => candidateList(ctx({ period: null }), "season", "auto")).toThrow(/^--target-mode season: no season was detected in the training rows of t; give --period N$/)
        expect(() => candidateList(ctx(), "season", parseDerived("change"))).toThrow(/^--target-mode season adds back the target's seasonal value, so --derived must list season$/)
        expect(() => candidateList(ctx({ period: null }), "auto", parseDerived("season"))).toThrow(/^--derived season: no season was detected/)
        expect(() => candidateList(ctx({ cycles: null }), "auto", parseDerived("day"))).toThrow(/^--derived day: calendar inputs need the rows' times, and the CSV has no timestamp column$/)
        expect(() => candidateList(ctx({ targetIsInput: false }), "auto", parseDerived("change"))).toThrow(/^--derived change is of the target, so t must be one of --inputs$/)
        expect(() => parseDerived("change,hour")).toThrow(/^--derived: "hour" is not a derived input; use auto, none, or a comma-separated list of change, season, day, week, year, statistical$/)
        expect(() => candidateList(ctx(), "statistical", parseDerived("change"))).toThrow(/^--target-mode statistical adds back the statistical forecast, so --derived must list statistical$/)
        expect(() => candidateList(ctx({ noStatistical: "several horizons take none" }), "auto", parseDerived("statistical"))).toThrow(/^--derived statistical: several horizons take none$/)
    })
})

describe("the plan for given rows", () => {
    /** Weekly rows from Monday 2018-01-01 of a yearly cycle with noise, with their times. */
    const weekly = (years: number) => {
        const noise = seededRandom(1)
        const target = Array.from({ length: Math.round((365.2425 / 7) * years) }, (_, t) => 10 + 5 * Math.sin((2 * Math.PI * t * 7) / 365.2425) + (noise() - 0.5))
        return { inputNames: ["t"], inputs: target.map(v => [v]), target, times: target.map((_, t) => Date.UTC(2018, 0, 1) + t * 7 * DAY) }
    }

    it("8 years of weekly rows: the year of 52 rows (snapped by the spacing), the year cycle, and 14 candidates scored after a 51-row warm-up", () => {
        const data = weekly(8)
        const plan = planCandidates(data, "t", resolveTrainOptions({ target: "t" }, data.inputs.length, true))
        expect(plan.period).toEqual({ rows: 52, source: "detected on the training rows" })
        expect(plan.rowMs).toBe(7 * DAY)
        expect(plan.candidates.map(candidateLabel)).toHaveLength(14)
        expect(plan.candidates.at(-1)).toEqual({ target: "statistical", inputs: { change: true, season: true, calendar: ["year"], statistical: true } })
        expect(plan.warmUp).toBe(51)
    })

    it("5 years: the 52 validation rows cannot score a 52-row season input, so no season candidate, and asking for one is an error", () => {
        const data = weekly(5)
        const o = resolveTrainOptions({ target: "t" }, data.inputs.length, true)
        const plan = planCandidates(data, "t", o)
        expect(plan.period.rows).toBe(52)
        expect(plan.candidates.map(candidateLabel)).toEqual([
            "level, readings",
            "level, readings + change",
            "level, readings + change + year",
            "level, readings + change + year + ARIMA",
            "change, readings",
            "change, readings + change",
            "change, readings + change + year",
            "change, readings + change + year + ARIMA",
            "statistical, readings + change + year + ARIMA",
        ])
        expect(plan.warmUp).toBe(0)
        expect(() => planCandidates(data, "t", { ...o, targetMode: "season" })).toThrow(/^--target-mode season: the 52 validation rows cannot score a season input: it needs 51 rows of history and 8 scored; use a larger --validation share$/)
    })
})

describe("derived inputs of a candidate", () => {
    it("parses the flag into the network's order, and writes it back", () => {
        const set = parseDerived(" Year,day,season ")
        expect(set).toEqual({ change: false, season: true, calendar: ["day", "year"] })
        expect(derivedFlag(set as InputSet)).toBe("season,day,year")
        expect(derivedFlag(parseDerived("none") as InputSet)).toBe("none")
        expect(parseDerived("auto")).toBe("auto")
    })

    it("gives the model's features of the target (reading 2), with the row spacing only for the calendar", () => {
        expect(candidateFeatures({ target: "level", inputs: { change: false, season: false, calendar: [] } }, 2, HOUR)).toBeUndefined()
        expect(candidateFeatures({ target: "season", inputs: { change: true, season: true, calendar: [] } }, 2, HOUR)).toEqual({ change: [2], season: [2], seasonChange: [2] })
        expect(candidateFeatures({ target: "level", inputs: { change: false, season: false, calendar: ["day"] } }, 2, HOUR)).toEqual({ calendar: ["day"], rowMs: HOUR })
        expect(candidateFeatures({ target: "statistical", inputs: { change: true, season: false, calendar: [], statistical: true } }, 2, HOUR)).toEqual({ change: [2], statistical: [2] })
    })

    it("calendar cycles fit the spacing and span: day for sub-daily rows over 2 days, week for daily or finer over 3 weeks, year over a year", () => {
        expect(calendarCycles(HOUR, 244 * DAY)).toEqual(["day", "week"])
        expect(calendarCycles(HOUR, 1.5 * DAY)).toEqual([])
        expect(calendarCycles(HOUR, 20 * DAY)).toEqual(["day"])
        expect(calendarCycles(DAY, 3 * 365 * DAY)).toEqual(["week", "year"])
        expect(calendarCycles(7 * DAY, 4 * 365 * DAY)).toEqual(["year"])
        expect(calendarCycles(30 * DAY, 364 * DAY)).toEqual([])
        expect(calendarCycles(30 * DAY, 366 * DAY)).toEqual(["year"])
        expect(calendarCycles(91 * DAY, 20 * 365 * DAY)).toEqual([])
    })
})
