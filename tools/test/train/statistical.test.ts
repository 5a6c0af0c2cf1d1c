/**
 * The statistical baseline against oracles of its own: simple exponential
 * smoothing worked out by hand (ARIMA(0,1,1) is SES), series the airline
 * model's differencing forecasts exactly (a straight line, a pure season), the
 * `arima` package's own Kalman-filter forecast at the end of the rows it was
 * fitted on, and forecasts that never change when a later row does.
 */
import { copyModel } from "../helpers/copy-model.ts"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { type CanonicalModel, type SeasonalArima } from "../../src/model/canonical.ts"
import { evaluateModel, formatEvaluation, method } from "../../src/eval/evaluate.ts"
import { fitArima, fitRows, fitStatistical } from "../../src/train/statistical.ts"
import { arimaForecasts, firstOrigin } from "../../src/model/arima.ts"
import { runCli } from "../helpers/cli.ts"

const arima = (fields: Partial<SeasonalArima>): SeasonalArima => ({
    kind: "arima",
    order: [0, 1, 1],
    seasonal: [0, 0, 0],
    period: 0,
    ar: [],
    ma: [],
    seasonalAr: [],
    seasonalMa: [],
    mean: 0,
    variance: 1,
    rows: 100,
    fitter: "by hand",
    ...fields,
})
const airline = (period: number) => arima({ seasonal: [0, 1, 1], period, ma: [-0.4], seasonalMa: [-0.6] })

// Park-Miller, and a sum of 12 uniforms for a standard normal: the same noise on every run
function gaussians(n: number, seed: number): number[] {
    return Array.from({ length: n }, () => {
        let u = 0
        for (let i = 0; i < 12; i++) u += (seed = (seed * 16807) % 2147483647) / 2147483647
        return u - 6
    })
}

describe("the statistical baseline's recursion", () => {
    it("is simple exponential smoothing for ARIMA(0,1,1) with ma -0.5 (alpha 0.5), worked by hand", () => {
        // level 1; then 0.5 * 2 + 0.5 * 1 = 1.5; then 0.5 * 4 + 0.5 * 1.5 = 2.75; then 0.5 * 3 + 0.5 * 2.75 = 2.875
        const y = [1, 2, 4, 3, 9]
        const m = arima({ ma: [-0.5] })
        expect(firstOrigin(m)).toBe(0)
        const one = arimaForecasts(m, y, 1)
        // and from the last row, whose target is past the end: 0.5 * 9 + 0.5 * 2.875
        expect(one).toEqual([1, 1.5, 2.75, 2.875, 5.9375])
        // SES forecasts flat: two rows ahead is the same level
        expect(arimaForecasts(m, y, 2).slice(0, 3)).toEqual([1, 1.5, 2.75])
    })

    it("forecasts a straight line, a pure season of 4, and their sum exactly with the airline model, from row 4 on", () => {
        const m = airline(4)
        // (1 - B)(1 - B^4) reaches 5 rows back: the first forecast is made at row 4
        expect(firstOrigin(m)).toBe(4)
        const line = Array.from({ length: 20 }, (_, t) => 3 + 2 * t)
        const season = Array.from({ length: 20 }, (_, t) => [5, 1, 3, 2][t % 4])
        const both = line.map((v, t) => v + season[t])
        for (const y of [line, season, both])
            for (const h of [1, 3]) {
                const f = arimaForecasts(m, y, h)
                expect(f.slice(0, 4).every(Number.isNaN)).toBe(true)
                for (let t = 4; t + h < y.length; t++) expect(f[t]).toBeCloseTo(y[t + h], 12)
            }
    })

    it("uses only rows up to t: changing row 30 leaves every earlier forecast as it was", () => {
        const y = gaussians(60, 3).map((v, t) => 10 + v + Math.sin(t))
        const m = arima({ order: [1, 1, 1], seasonal: [1, 1, 1], period: 6, ar: [0.3], ma: [-0.4], seasonalAr: [0.2], seasonalMa: [-0.5] })
        for (const h of [1, 4]) {
            const before = arimaForecasts(m, y, h)
            const changed = y.slice()
            changed[30] += 5
            const after = arimaForecasts(m, changed, h)
            // forecasts made at rows 0..29, whatever row they forecast
            expect(after.slice(0, 30)).toEqual(before.slice(0, 30))
            // the forecast made at row 30 sees the change
            expect(after[30]).not.toBe(before[30])
        }
    })
})

describe("the fit by the arima package", () => {
    it("recovers the airline model a series was drawn from, and the recursion repeats the package's forecast 1 to 5 rows past its end", () => {
        const s = 12
        const e = gaussians(600, 11)
        const y: number[] = []
        for (let t = 0; t < e.length; t++) {
            const w = e[t] - 0.4 * (e[t - 1] ?? 0) - 0.6 * (e[t - s] ?? 0) + 0.24 * (e[t - s - 1] ?? 0)
            y.push(t <= s ? 20 + 5 * Math.sin((2 * Math.PI * t) / s) : w + y[t - 1] + y[t - s] - y[t - s - 1])
        }
        const fit = fitArima(y, { order: [0, 1, 1], seasonal: [0, 1, 1], period: s }, 5)
        if (!("model" in fit)) throw new Error(fit.reason)
        // within about three standard errors of the estimates on 600 rows
        expect(Math.abs(fit.model.ma[0] + 0.4)).toBeLessThan(0.12)
        expect(Math.abs(fit.model.seasonalMa[0] + 0.6)).toBeLessThan(0.12)
        expect(fit.model.variance).toBeCloseTo(1, 0)
        const padded = [...y, 0, 0, 0, 0, 0]
        for (let h = 1; h <= 5; h++) expect(arimaForecasts(fit.model, padded, h)[y.length - 1]).toBeCloseTo(fit.forecast[h - 1], 6)
    })

    it("reads the mean of a model that does not difference, and repeats the package's ARMA(1,1) forecast", () => {
        const e = gaussians(400, 5)
        const y: number[] = []
        for (let t = 0; t < e.length; t++) y.push(50 + 0.7 * ((y[t - 1] ?? 50) - 50) + e[t] + 0.3 * (e[t - 1] ?? 0))
        const fit = fitArima(y, { order: [1, 0, 1], seasonal: [0, 0, 0], period: 0 }, 3)
        if (!("model" in fit)) throw new Error(fit.reason)
        expect(fit.model.mean).toBeCloseTo(50, 0)
        expect(Math.abs(fit.model.ar[0] - 0.7)).toBeLessThan(0.12)
        expect(Math.abs(fit.model.ma[0] - 0.3)).toBeLessThan(0.12)
        for (let h = 1; h <= 3; h++) expect(arimaForecasts(fit.model, [...y, 0, 0, 0], h)[y.length - 1]).toBeCloseTo(fit.forecast[h - 1], 8)
    })

    it("tries BFGS when the package's default L-BFGS ends on Inf/NaN, and says which optimizer fitted", () => {
        // two sines, no noise: L-BFGS fails here (found on train's own smoke series)
        const y = Array.from({ length: 192 }, (_, t) => Number((20 + 5 * Math.sin((2 * Math.PI * t) / 12) + 0.3 * Math.sin(1.3 * t)).toFixed(4)))
        expect(fitArima(y, { order: [0, 1, 1], seasonal: [0, 1, 1], period: 12 })).toEqual({ reason: "arima 0.2.8 (ctsa) did not converge on seasonal ARIMA(0,1,1)(0,1,1)12 (code 15 with L-BFGS)" })
        const fit = fitStatistical(y, 12)
        if (!("model" in fit)) throw new Error(fit.reason)
        expect(fit.model.fitter).toBe("arima 0.2.8 (ctsa), exact maximum likelihood, BFGS")
    })

    it("takes every training row unless the season makes the exact fit too slow, and says why there is none", () => {
        expect(fitStatistical([1, 2, 3, 4, 5, 6, 7, 8], 4)).toEqual({ reason: "seasonal ARIMA(0,1,1)(0,1,1)4 needs 20 training rows, there are 8; ARIMA(0,1,1) needs 20 training rows, there are 8" })
        // 30 rows are too few for four seasons of 12, enough for ARIMA(0,1,1), which stands in and says why
        const fit = fitStatistical(gaussians(30, 4).map((v, t) => 10 + v + 0.1 * t), 12)
        if (!("model" in fit)) throw new Error(fit.reason)
        expect([fit.model.order, fit.model.seasonal, fit.model.period]).toEqual([[0, 1, 1], [0, 0, 0], 0])
        expect(fit.note).toBe("seasonal ARIMA(0,1,1)(0,1,1)12 needs 50 training rows, there are 30: ARIMA(0,1,1), without the season, stands in")
        // the package itself refuses under d + sD + max(2s, 10) = 1 + 4 + 10 rows, and that is a reason too, not a throw
        expect(fitArima([1, 2, 3], { order: [0, 1, 1], seasonal: [0, 1, 1], period: 4 })).toEqual({ reason: "arima 0.2.8 (ctsa) failed on seasonal ARIMA(0,1,1)(0,1,1)4: Series too short (3 values). Minimum length for these parameters is 15" })
        expect(fitRows(7319, 24)).toBe(7319)
        expect(fitRows(19, 0)).toEqual({ reason: "ARIMA(0,1,1) needs 20 training rows, there are 19" })
        // 2e7 / (168 + 2)^2 = 692.04: the last 692 rows, over four seasons
        expect(fitRows(10_000, 168)).toBe(692)
        // 2e7 / 338^2 = 175 rows, under four seasons of 336
        expect(fitRows(10_000, 336)).toEqual({ reason: "a season of 336 rows makes the exact fit of seasonal ARIMA(0,1,1)(0,1,1)336 too slow" })
    })
})

// y = x: the float model repeats the current value, like persistence
const copy = copyModel(1, 4)

describe("the statistical baseline in the evaluation table", () => {
    const Y = Array.from({ length: 16 }, (_, t) => 3 + 2 * t + [5, 1, 3, 2][t % 4])
    const data = { inputs: Y.map(v => [v]), target: Y }

    it("scores from the first row the ARIMA can forecast, is exact on a line plus a season, and the verdict names it", async () => {
        const e = await evaluateModel({ ...copy, statistical: airline(4) }, data, { encoding: null, period: { rows: 4, source: "model.json" } })
        // the seasonal naive could start at row 3, the airline model at row 4
        expect(e.start).toBe(4)
        const s = method(e, "statistical")!
        expect(s.label).toBe("seasonal ARIMA(0,1,1)(0,1,1)4, fitted once on 100 training rows")
        expect(s.rmse).toBeCloseTo(0, 12)
        const text = formatEvaluation(e, "t.csv")
        expect(text).toMatch(/seasonal ARIMA\(0,1,1\)\(0,1,1\)4, fitted once on 100 training rows +0\.000 +0\.000 +0\.000\n/)
        expect(text).toContain("The model does NOT beat the ARIMA baseline: RMSE")
    })

    it("prints the note of a stand-in ARIMA above the table, and its row under its own name", async () => {
        const note = "seasonal ARIMA(0,1,1)(0,1,1)4 needs 20 training rows, there are 8: ARIMA(0,1,1), without the season, stands in"
        const e = await evaluateModel(copy, data, { encoding: null, period: { rows: 4, source: "model.json" }, statistical: { model: arima({ ma: [-0.5] }), note } })
        const text = formatEvaluation(e, "t.csv")
        expect(text).toContain(`MAE\n${note}\n`)
        expect(text).toMatch(/\n  ARIMA\(0,1,1\), fitted once on 100 training rows +\d/)
    })

    it("scores nothing among the warm-up rows: the first target is the row after them, with or without the ARIMA", async () => {
        const opts = { encoding: null, period: { rows: 4, source: "model.json" }, warmup: 6 }
        // targets from row 6 on: forecasts made from row 5
        expect((await evaluateModel(copy, data, opts)).start).toBe(5)
        expect((await evaluateModel({ ...copy, statistical: airline(4) }, data, opts)).start).toBe(5)
    })

    it("says when the model has none or the file is too short for it, and evaluate reads the one model.json holds", async () => {
        const none = await evaluateModel(copy, data, { encoding: null, period: { rows: 4, source: "model.json" } })
        expect(method(none, "statistical")).toBeUndefined()
        expect(none.start).toBe(3)
        expect(formatEvaluation(none, "t.csv")).toContain("no statistical baseline: the model has none (dsrnn train fits one on its training rows)")
        // (1 - B)(1 - B^20) reaches 21 rows back: the first forecast, made at row 20 for row 21, needs 22 rows; the other methods keep theirs
        const long = await evaluateModel({ ...copy, statistical: airline(20) }, data, { encoding: null, period: { rows: 4, source: "model.json" } })
        expect(method(long, "statistical")).toBeUndefined()
        expect(long.start).toBe(3)
        expect(formatEvaluation(long, "t.csv")).toContain("no statistical baseline: its first forecast needs 22 rows")
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-statistical-"))
        const csv = join(dir, "y.csv")
        writeFileSync(csv, ["y", ...Y].join("\n") + "\n")
        const good = join(dir, "m.json")
        writeFileSync(good, JSON.stringify({ ...copy, statistical: airline(4) }))
        const run = await runCli(["evaluate", good, "--data", csv, "--no-device"])
        expect(run.code, run.stderr).toBe(0)
        expect(run.stdout).toContain("seasonal ARIMA(0,1,1)(0,1,1)4, fitted once on 100 training rows")
        const bad = join(dir, "bad.json")
        writeFileSync(bad, JSON.stringify({ ...copy, statistical: { ...airline(4), seasonalMa: [] } }))
        const refused = await runCli(["evaluate", bad, "--data", csv, "--no-device"])
        expect(refused.code).not.toBe(0)
        expect(refused.stderr.trim()).toMatch(/^dsrnn: .*statistical\.seasonalMa: has 0 values, expected 1$/)
    }, 60_000)
})

describe("train's statistical baseline", () => {
    it("is fitted on the training rows only, stored in model.json and scored on the validation rows", async () => {
        // 240 rows of a noisy season of 12: train takes the first 192, validation the last 48
        const y = gaussians(240, 9).map((v, t) => 20 + 5 * Math.sin((2 * Math.PI * t) / 12) + 0.5 * v)
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-statistical-train-"))
        const csv = join(dir, "y.csv")
        writeFileSync(csv, ["y", ...y.map(v => v.toFixed(6))].join("\n") + "\n")
        const out = join(dir, "m.json")
        const run = await runCli(["train", csv, "--target", "y", "--arch", "rnn:2", "--epochs", "1", "--period", "12", "--no-device", "--quiet", "--out", out])
        expect(run.code, run.stderr).toBe(0)
        const model = JSON.parse(readFileSync(out, "utf8")) as CanonicalModel
        expect(model.training!.trainRows).toBe(192)
        const own = fitArima(y.slice(0, 192).map(v => Number(v.toFixed(6))), { order: [0, 1, 1], seasonal: [0, 1, 1], period: 12 })
        if (!("model" in own)) throw new Error(own.reason)
        expect(model.statistical).toEqual(own.model)
        expect(run.stdout).toMatch(/seasonal ARIMA\(0,1,1\)\(0,1,1\)12, fitted once on 192 training rows +\d/)
        expect(run.stdout).toMatch(/The model (beats|does NOT beat) the ARIMA baseline/)
    }, 60_000)
})
