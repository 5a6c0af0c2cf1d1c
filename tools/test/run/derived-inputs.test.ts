/**
 * A model with derived inputs (change, seasonal value, calendar phase) runs
 * in the DeviceScript VM, through the Forecaster, as the host float64
 * oracle runs it: deriveInputs (tested by hand in model/features.test.ts)
 * and the reference model, with the residual added back from the seasonal
 * value. The Forecaster's own derivation is tested by hand in the VM
 * (firmware-tests/forecaster.test.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { deriveInputs } from "../../src/model/features.ts"
import { arimaForecasts } from "../../src/model/arima.ts"
import { quantizeModel } from "../../src/model/quantize.ts"
import { randomLstmModel, randomMatrix, seededRandom } from "../../src/model/random.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { validateModel } from "../../src/model/validate.ts"
import { simulate } from "../../src/run/simulate.ts"
import { runCli } from "../helpers/cli.ts"

const HOUR = 3_600_000
/** 2024-03-01T06:00Z, a Friday. */
const START = Date.UTC(2024, 2, 1, 6)
const ROWS = 30

/** LSTM(4) on readings (a, b) and their derived inputs: b's change, a 4 rows back (period 5), a's change over 5 rows, sin/cos of day, week and year; residual from a's seasonal value. */
function derivedModel(): CanonicalModel {
    const m = randomLstmModel(11, 4, 31)
    const inputs = 11
    return validateModel({
        ...m,
        inputNames: ["a", "b"],
        outputNames: ["a"],
        period: 5,
        horizon: 1,
        features: { change: [1], season: [0], seasonChange: [0], calendar: ["day", "week", "year"], rowMs: HOUR },
        residual: [0],
        residualBase: "season",
        inputNormalization: { mean: Array.from({ length: inputs }, (_, j) => 0.1 * j), std: Array.from({ length: inputs }, (_, j) => 1 + 0.2 * j) },
        outputNormalization: { mean: [0.5], std: [2] },
    })
}

/** n inputs through Dense(n) with the identity matrix and no scaling: the outputs are the network's inputs, the derived ones included. */
function identityModel(n: number, fields: Partial<CanonicalModel>): CanonicalModel {
    const W = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, k) => (r === k ? 1 : 0)))
    return validateModel({ format: "dsrnn-model", version: 1, inputSize: n, outputSize: n, ...fields, layers: [{ type: "dense", inputSize: n, units: n, activation: "linear", W, b: new Array(n).fill(0) }] })
}

function series(): { rows: number[][]; times: number[] } {
    const noise = randomMatrix(seededRandom(32), ROWS, 2, 0.3)
    const rows = noise.map((r, t) => [Math.sin((2 * Math.PI * t) / 5) + r[0], 10 + 0.1 * t + r[1]])
    return { rows, times: rows.map((_, t) => START + t * HOUR) }
}

/** Largest gap between two tables of outputs. */
function worst(a: number[][], b: number[][]): number {
    expect(a.length).toBe(b.length)
    return Math.max(...a.map((r, t) => Math.max(...r.map((v, j) => Math.abs(v - b[t][j])))))
}

describe("derived inputs in the VM equal the float64 oracle", () => {
    test("simulate: change, seasonal value, calendar and the seasonal residual, carried over chunks", async () => {
        const model = derivedModel()
        const { rows, times } = series()
        const expected = new ReferenceModel(quantizeModel(model, "f32")).run(rows, times)
        // the calendar inputs move the forecast: six hours later is another forecast
        const later = new ReferenceModel(quantizeModel(model, "f32")).run(rows, times.map(t => t + 6 * HOUR))
        expect(worst(later, expected)).toBeGreaterThan(1e-3)
        // 7-row chunks: the season ring (6 rows) and the clock go on across the VM runs
        const got = await simulate(model, rows, { encoding: "f32", times, chunkRows: 7 })
        expect(worst(got, expected)).toBeLessThan(1e-9)
        const flat = expected.flat()
        expect(Math.max(...flat) - Math.min(...flat), "outputs must vary").toBeGreaterThan(0.5)
    }, 300_000)

    test("the Forecaster's derived inputs equal deriveInputs to 1e-15, over 400 times from 1969 to 2100", async () => {
        // an identity network (no scaling): the outputs are the network's inputs, the derived ones included
        const n = 11
        const identity = identityModel(n, { period: 5, features: { change: [1], season: [0], seasonChange: [0], calendar: ["day", "week", "year"], rowMs: HOUR } })
        const r = seededRandom(33)
        const rows = Array.from({ length: 400 }, () => [r() * 10 - 5, r() * 100])
        // random instants, negative ones included, and whole days, quarter days and week starts, where sin and cos are 0 or 1
        const times = rows.map((_, t) => (t % 4 === 0 ? Math.round(r() * 40_000) * 21_600_000 : Math.floor((r() * 131 - 1) * 365.2425 * 86_400_000)))
        const got = await simulate(identity, rows, { encoding: "f32", times })
        const gap = worst(got, deriveInputs(identity, rows, times))
        console.log(`derived inputs, device against float64: max gap ${gap.toExponential(2)}`)
        expect(gap).toBeLessThan(1e-15)
    }, 300_000)

    test("the statistical input equals the ARIMA recursion (model/arima.ts, held to the arima package) to 1e-12, at horizons 1 and 3, over chunks", async () => {
        // a seasonal ARIMA(1,1,1)(1,1,1)5: lags 1..12 of the difference equation, most of them nonzero
        const statistical = { kind: "arima" as const, order: [1, 1, 1] as [number, number, number], seasonal: [1, 1, 1] as [number, number, number], period: 5, ar: [0.3], ma: [-0.4], seasonalAr: [0.2], seasonalMa: [-0.5], mean: 0, variance: 1, rows: 100, fitter: "by hand" }
        const r = seededRandom(35)
        const rows = Array.from({ length: 120 }, (_, t) => [10 + 0.05 * t + Math.sin((2 * Math.PI * t) / 5) + r(), r()])
        for (const horizon of [1, 3]) {
            // an identity network: the output is the network's input, the statistical forecast last
            const n = 4
            const identity = identityModel(n, { horizon, period: 5, statistical, features: { change: [1], statistical: [0] } })
            const oracle = arimaForecasts(statistical, rows.map(x => x[0]), horizon)
            // until the recursion's first forecast (row 11: 12 lags), the input is the current reading
            expect(oracle.slice(0, 11).every(Number.isNaN)).toBe(true)
            const want = oracle.map((v, t) => (Number.isNaN(v) ? rows[t][0] : v))
            // 17-row chunks: the rings go on across the VM runs
            const got = await simulate(identity, rows, { encoding: "f32", chunkRows: 17 })
            const gap = Math.max(...got.map((y, t) => Math.abs(y[3] - want[t])))
            console.log(`statistical input at horizon ${horizon}, device against float64: max gap ${gap.toExponential(2)}`)
            expect(gap).toBeLessThan(1e-12)
            // it forecasts: after the first forecasts it is no longer the current reading
            expect(got.slice(12).some((y, t) => Math.abs(y[3] - rows[t + 12][0]) > 0.1)).toBe(true)
        }
    }, 300_000)

    test("simulate of a calendar model without times is an error", async () => {
        const { rows } = series()
        await expect(simulate(derivedModel(), rows, { encoding: "f32" })).rejects.toThrow("the model's calendar inputs (day, week, year) need the time of each row")
    })

    test("dsrnn simulate reads the times from the CSV's timestamp column", async () => {
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-derived-"))
        const model = derivedModel()
        const { rows, times } = series()
        writeFileSync(join(dir, "model.json"), JSON.stringify(model))
        // naive timestamps, read as UTC; the columns in another order than the model's
        const csv = ["b,time,a", ...rows.map((r, t) => `${r[1]},${new Date(times[t]).toISOString().slice(0, 19)},${r[0]}`)].join("\n")
        writeFileSync(join(dir, "series.csv"), csv + "\n")
        const r = await runCli(["simulate", join(dir, "model.json"), "--input", join(dir, "series.csv"), "--output", join(dir, "out.csv"), "--weights", "f32"])
        expect(r.code, r.stderr).toBe(0)
        expect(r.stdout + r.stderr).toContain('times from column "time" (timestamps without a zone read as UTC)')
        expect(r.stdout + r.stderr).not.toContain("skipping columns not in the model: time")
        const out = readFileSync(join(dir, "out.csv"), "utf8").trim().split("\n").slice(1).map(l => l.split(",").map(Number))
        expect(worst(out, new ReferenceModel(quantizeModel(model, "f32")).run(rows, times))).toBeLessThan(1e-9)

        writeFileSync(join(dir, "untimed.csv"), ["a,b", ...rows.map(r => `${r[0]},${r[1]}`)].join("\n") + "\n")
        for (const args of [["simulate", join(dir, "model.json"), "--input", join(dir, "untimed.csv"), "--output", join(dir, "bad.csv")], ["evaluate", join(dir, "model.json"), "--data", join(dir, "untimed.csv")]]) {
            const bad = await runCli(args)
            expect(bad.code, args[0]).toBe(1)
            expect(bad.stderr).toContain("the model's calendar inputs (day, week, year) need each row's time, but no column holds ISO dates or times")
            expect(bad.stderr).not.toMatch(/\n\s+at /)
        }

        // evaluate streams the same rows with their times, float64 and the device
        const evaluated = await runCli(["evaluate", join(dir, "model.json"), "--data", join(dir, "series.csv"), "--weights", "f32", "--quiet"])
        expect(evaluated.code, evaluated.stderr).toBe(0)
        expect(evaluated.stdout).toMatch(/device \(f32, DeviceScript VM\)/)
    }, 300_000)

    test("dsrnn train on a CSV with times trains a calendar model end to end (its fault check streams the times too)", async () => {
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-derived-"))
        const r = seededRandom(34)
        const csv = ["time,temp", ...Array.from({ length: 120 }, (_, t) => `${new Date(START + t * HOUR).toISOString().slice(0, 16)},${(15 + 5 * Math.sin((2 * Math.PI * t) / 24) + 0.3 * r()).toFixed(3)}`)]
        writeFileSync(join(dir, "hourly.csv"), csv.join("\n") + "\n")
        const t = await runCli(["train", join(dir, "hourly.csv"), "--target", "temp", "--derived", "day", "--epochs", "2", "--no-device", "--quiet", "--out", join(dir, "m.json")])
        expect(t.code, t.stderr).toBe(0)
        expect(JSON.parse(readFileSync(join(dir, "m.json"), "utf8")).features).toMatchObject({ calendar: ["day"], rowMs: HOUR })
    }, 300_000)
})
