/**
 * The baselines a forecaster tries first, checked against values worked out
 * by hand: the seasonal naive forecast (whole seasons back, so it never looks
 * past row t, whatever the horizon), MASE on the naive forecast's in-sample
 * MAE, the season detected by @bsull/augurs (refined), --period and
 * model.json's period, and a verdict that names every baseline the model
 * loses to.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { evaluateModel, formatEvaluation, method, verdictLines } from "../../src/eval/evaluate.ts"
import type { Evaluation } from "../../src/eval/evaluation.ts"
import { detectPeriod } from "../../src/train/season.ts"
import { REPO_ROOT, runCli } from "../helpers/cli.ts"
import { copyModel } from "../helpers/copy-model.ts"


// period 4, no two seasons alike
const Y = [1, 5, 3, 2, 2, 6, 3, 1, 1, 7, 4, 2]
const data = { inputs: Y.map(v => [v]), target: Y }

describe("the seasonal naive baseline and MASE", () => {
    it("forecasts row t + 1 from row t + 1 - 4, on the same rows as every method, with MASE by hand", async () => {
        const e = await evaluateModel(copyModel(1), data, { encoding: null, period: { rows: 4, source: "--period" } })
        // rows 3..10 forecast rows 4..11: the first row whose value one season before exists
        expect(e.start).toBe(3)
        expect(e.actual).toEqual([2, 6, 3, 1, 1, 7, 4, 2])
        const s = method(e, "seasonal")!
        expect(s.label).toBe("seasonal naive (4 rows ago)")
        expect(s.predictions).toEqual([1, 5, 3, 2, 2, 6, 3, 1])
        // errors 1 1 0 1 1 1 1 1
        expect(s.mae).toBeCloseTo(7 / 8, 14)
        expect(s.rmse).toBeCloseTo(Math.sqrt(7 / 8), 14)
        // persistence: errors 0 4 3 2 0 6 3 2
        const p = method(e, "persistence")!
        expect(p.mae).toBeCloseTo(20 / 8, 14)
        expect(p.rmse).toBeCloseTo(Math.sqrt(78 / 8), 14)
        // scale: |y[t] - y[t-4]| over t = 4..11 of the scored file = 7 / 8
        expect(e.scale!.mae).toBeCloseTo(7 / 8, 14)
        expect(s.mase).toBeCloseTo(1, 14)
        expect(p.mase).toBeCloseTo(20 / 7, 14)
        expect(method(e, "float")!.mase).toBeCloseTo(20 / 7, 14)
        // a scale given by train (the training rows' naive MAE) is used as given
        const given = await evaluateModel(copyModel(1), data, { encoding: null, period: { rows: 4, source: "--period" }, scale: { mae: 2, source: "the training rows" } })
        expect(method(given, "persistence")!.mase).toBeCloseTo(1.25, 14)
        const text = formatEvaluation(e, "t.csv")
        expect(text).toContain("period: 4 rows (--period)")
        expect(text).toMatch(/MASE = MAE \/ 0\.8750, the scored rows' seasonal naive \(4 rows\) MAE/)
        expect(text).toMatch(/seasonal naive \(4 rows ago\) +0\.9354 +0\.8750 +1\.000\n/)
    })

    it("six rows ahead with a season of 4 looks 8 rows back, never past row t", async () => {
        const e = await evaluateModel(copyModel(6), data, { encoding: null, period: { rows: 4, source: "--period" } })
        // row t forecasts row t + 6 from row t + 6 - 8 = t - 2: the first is row 2
        expect(e.start).toBe(2)
        expect(e.actual).toEqual([1, 7, 4, 2])
        const s = method(e, "seasonal")!
        expect(s.label).toBe("seasonal naive (8 rows ago)")
        expect(s.predictions).toEqual([1, 5, 3, 2])
        expect(s.mae).toBeCloseTo(3 / 4, 14)
        expect(s.rmse).toBeCloseTo(Math.sqrt(5 / 4), 14)
        expect(method(e, "persistence")!.predictions).toEqual([3, 2, 2, 6])
    })

    it("without a season leaves the seasonal naive out, says why, and scales MASE by the one-step naive", async () => {
        const e = await evaluateModel(copyModel(1), data, { encoding: null, period: { rows: null, source: "detected on the training rows" } })
        expect(method(e, "seasonal")).toBeUndefined()
        expect(e.methods.map(m => m.key)).toEqual(["float", "persistence", "average"])
        // |y[t] - y[t-1]| over t = 1..11: 4 2 1 0 4 3 2 0 6 3 2 = 27
        expect(e.scale!.mae).toBeCloseTo(27 / 11, 14)
        const text = formatEvaluation(e, "t.csv")
        expect(text).toContain("no season detected on the training rows: the seasonal naive forecast is left out, a moving average of the last 3 rows stands in")
        expect(text).toContain("one-step naive MAE")
    })

    it("names every baseline the model loses to, with both errors and how much higher", () => {
        const m = (key: "float" | "persistence" | "seasonal", rmse: number) => ({ key, label: key, predictions: [], rmse, mae: rmse, mase: 1 })
        const e: Evaluation = { horizon: 1, start: 0, actual: [1], methods: [m("float", 548), m("persistence", 1190), m("seasonal", 512)], period: 7, residual: false }
        expect(verdictLines(e)).toEqual([
            "The model beats persistence: RMSE 548.0 against 1190 (54% lower).",
            "The model does NOT beat the seasonal naive forecast: RMSE 548.0 against 512.0 (7% higher).",
            "Try --target-mode change, more --epochs, or more data.",
        ])
    })

    it("says a baseline with no error is exact, not Infinity% better", () => {
        const m = (key: "float" | "persistence", rmse: number) => ({ key, label: key, predictions: [], rmse, mae: rmse, mase: 1 })
        const e: Evaluation = { horizon: 1, start: 0, actual: [1], methods: [m("float", 0.5), m("persistence", 0)], period: null, residual: true }
        expect(verdictLines(e)[0]).toBe("The model does NOT beat persistence: RMSE 0.5000 against 0.000 (it is exact on these rows).")
    })
})

describe("the season of a series", () => {
    it("is 24 rows on a sine of period 24 under a trend (the periodogram alone says 25)", () => {
        expect(detectPeriod(Array.from({ length: 300 }, (_, t) => 10 + Math.sin((2 * Math.PI * t) / 24) + 0.01 * t))).toBe(24)
    })

    it("is 12 months on the Mauna Loa CO2 series (vega-datasets)", () => {
        const rows = readFileSync(join(REPO_ROOT, "node_modules", "vega-datasets", "data", "co2-concentration.csv"), "utf8").trim().split("\n").slice(1)
        expect(detectPeriod(rows.map(l => Number(l.split(",")[1])))).toBe(12)
    })

    it("is none in white noise (the periodogram proposes 62), a straight line with a bump, a few rows or a constant", () => {
        let seed = 1
        // Park-Miller: the same noise on every run
        expect(detectPeriod(Array.from({ length: 200 }, () => (seed = (seed * 16807) % 2147483647) / 2147483647))).toBeNull()
        expect(detectPeriod(Array.from({ length: 100 }, (_, t) => 2 * t + (t === 50 ? 3 : 0)))).toBeNull()
        expect(detectPeriod([1, 2, 1, 2, 1])).toBeNull()
        expect(detectPeriod(Array(50).fill(3))).toBeNull()
    })

    it("evaluate takes --period over model.json's period, and model.json's over detection", async () => {
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-baselines-"))
        const csv = join(dir, "y.csv")
        writeFileSync(csv, ["y", ...Y].join("\n") + "\n")
        const modelPath = join(dir, "m.json")
        writeFileSync(modelPath, JSON.stringify(copyModel(1, 4)))
        const stored = await runCli(["evaluate", modelPath, "--data", csv, "--no-device"])
        expect(stored.code, stored.stderr).toBe(0)
        expect(stored.stdout).toContain("period: 4 rows (model.json)")
        const flag = await runCli(["evaluate", modelPath, "--data", csv, "--no-device", "--period", "3"])
        expect(flag.code, flag.stderr).toBe(0)
        expect(flag.stdout).toContain("period: 3 rows (--period)")
        expect(flag.stdout).toContain("seasonal naive (3 rows ago)")
        const bad = await runCli(["evaluate", modelPath, "--data", csv, "--no-device", "--period", "1"])
        expect(bad.code).not.toBe(0)
        expect(bad.stderr.trim()).toBe('dsrnn: --period must be a whole number of rows, at least 2, got "1"')
    }, 60_000)
})
