/**
 * detectPeriod on weekly rows with a yearly cycle (52.18 weeks): the season is
 * 52 rows. Before, the changes' short lags peaked on noise (a season of 2 or 3
 * rows was returned); and the autocorrelation of a few noisy years cannot
 * tell 52 from 50, 51 or 53, so with the rows' spacing a season near a
 * calendar cycle is that cycle.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { REPO_ROOT } from "../helpers/cli.ts"
import { seededRandom } from "../../src/model/random.ts"
import { detectPeriod } from "../../src/train/season.ts"

const WEEKS_PER_YEAR = 365.2425 / 7

/** 10 + 5 sin(2 pi t / 52.18) + a small trend + uniform noise of the given width. */
function weekly(years: number, noiseWidth: number, seed: number): number[] {
    const noise = seededRandom(seed)
    return Array.from({ length: Math.round(WEEKS_PER_YEAR * years) }, (_, t) => 10 + 5 * Math.sin((2 * Math.PI * t) / WEEKS_PER_YEAR) + 0.01 * t + noiseWidth * (noise() - 0.5))
}

describe("detectPeriod on weekly rows", () => {
    it.each([
        [5, 0.3],
        [5, 1],
        [5, 3],
        [8, 0.3],
        [8, 1],
        [8, 3],
    ])("finds 52 rows in %i years of a yearly cycle with noise %d wide (three seeds)", (years, width) => {
        expect([1, 2, 3].map(seed => detectPeriod(weekly(years, width, seed)))).toEqual([52, 52, 52])
    })

    it("with the rows' spacing (a week), a season near a year is 52 rows, where the autocorrelation alone says 50, 51 or 53", () => {
        const week = 7 * 86_400_000
        const series = [1, 2, 3, 4, 5].map(seed => weekly(4, 1, seed))
        expect(series.map(s => detectPeriod(s))).toEqual([52, 52, 52, 53, 50])
        expect(series.map(s => detectPeriod(s, week))).toEqual([52, 52, 52, 52, 52])
        // hourly rows: a day is 24 rows, and a season far from every cycle is kept as detected
        expect(detectPeriod(weekly(8, 1, 1), 3_600_000)).toBe(52)
    })

    it("real weekly rows: Seattle's daily highs 2012-2015 (vega-datasets) averaged per week have a year of 52 rows", () => {
        const lines = readFileSync(join(REPO_ROOT, "node_modules", "vega-datasets", "data", "seattle-weather.csv"), "utf8").trim().split("\n")
        expect(lines[0]).toBe("date,precipitation,temp_max,temp_min,wind,weather")
        const highs = lines.slice(1).map(l => Number(l.split(",")[2]))
        const weeks = Array.from({ length: Math.floor(highs.length / 7) }, (_, w) => highs.slice(7 * w, 7 * w + 7).reduce((a, b) => a + b, 0) / 7)
        expect(weeks).toHaveLength(208)
        // the autocorrelation of four noisy years peaks one row early; the spacing says it is the year
        expect(detectPeriod(weeks)).toBe(51)
        expect(detectPeriod(weeks, 7 * 86_400_000)).toBe(52)
        // the training rows train detects it on (the first 80%)
        expect(detectPeriod(weeks.slice(0, 166), 7 * 86_400_000)).toBe(52)
    })

    it("still finds a daily cycle of hourly rows and a weekly one of daily rows", () => {
        for (const p of [24, 7]) {
            const noise = seededRandom(4)
            expect(detectPeriod(Array.from({ length: p * 20 }, (_, t) => 0.05 * t + 5 * Math.sin((2 * Math.PI * t) / p) + 0.3 * noise()))).toBe(p)
        }
    })
})
