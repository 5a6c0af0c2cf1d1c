/**
 * Several horizons at once (--horizon 1..H): one output per horizon, each
 * scored against persistence and the seasonal naive forecast at its own
 * horizon, on forecasts made at the same rows, with its own prediction
 * interval. Oracles: baselines worked out by hand on a 12-row series, the
 * float64 reference run by hand over a trained model's validation rows, and
 * the reference of the quantized model for the simulated device.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { CANONICAL_FORMAT, CANONICAL_VERSION, type CanonicalModel, type SeasonalArima } from "../../src/model/canonical.ts"
import { quantizeModel } from "../../src/model/quantize.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { validateModel } from "../../src/model/validate.ts"
import { simulate } from "../../src/run/simulate.ts"
import type { Columns } from "../../src/io/columns.ts"
import { evaluateOutputs, method } from "../../src/eval/evaluate.ts"
import { type TrainOptions, resolveTrainOptions } from "../../src/train/options.ts"
import { parseHorizon } from "../../src/cli/train-options.ts"
import { parseDerived, planCandidates } from "../../src/train/candidates.ts"
import { train } from "../../src/train/train.ts"
import { runCli } from "../helpers/cli.ts"
import { resolveTargets } from "../../src/board/app-program.ts"

// both outputs repeat the current value, like persistence
const copies = (horizons: number[], extra: Partial<CanonicalModel> = {}): CanonicalModel => ({
    format: CANONICAL_FORMAT,
    version: CANONICAL_VERSION,
    inputSize: 1,
    outputSize: horizons.length,
    layers: [{ type: "dense", inputSize: 1, units: horizons.length, activation: "linear", W: horizons.map(() => [1]), b: horizons.map(() => 0) }],
    inputNames: ["y"],
    outputNames: horizons.map(() => "y"),
    horizons,
    ...extra,
})
// period 4, no two seasons alike
const Y = [1, 5, 3, 2, 2, 6, 3, 1, 1, 7, 4, 2]
const data = { inputs: Y.map(v => [v]), target: Y }

describe("each horizon against its own baselines", () => {
    it("1 and 6 rows ahead with a season of 4: lags 4 and 8, forecasts made at the same rows 3..5, errors by hand", async () => {
        // output 0: interval [-4, 0]; output 1: [1, 6]
        const model = copies([1, 6], { interval: { coverage: 0.9, lower: [-4, 1], upper: [0, 6] } })
        const [e1, e6] = await evaluateOutputs(model, data, { encoding: null, period: { rows: 4, source: "--period" } })
        // h = 1 needs t >= 4 - 1 = 3, h = 6 needs t >= 8 - 6 = 2; h = 6 reaches row t + 6 <= 11: t = 3..5
        for (const e of [e1, e6]) expect(e.start).toBe(3)
        expect(e1.horizon).toBe(1)
        expect(e6.horizon).toBe(6)
        expect(e1.actual).toEqual([2, 6, 3])
        expect(e6.actual).toEqual([7, 4, 2])
        expect(method(e1, "seasonal")!.label).toBe("seasonal naive (4 rows ago)")
        expect(method(e1, "seasonal")!.predictions).toEqual([1, 5, 3])
        expect(method(e6, "seasonal")!.label).toBe("seasonal naive (8 rows ago)")
        expect(method(e6, "seasonal")!.predictions).toEqual([5, 3, 2])
        // seasonal at 6: errors 2 1 0; persistence (rows 3..5: 2 2 6): errors 5 2 4
        expect(method(e6, "seasonal")!.mae).toBeCloseTo(1, 14)
        expect(method(e6, "seasonal")!.rmse).toBeCloseTo(Math.sqrt(5 / 3), 14)
        expect(method(e6, "persistence")!.predictions).toEqual([2, 2, 6])
        expect(method(e6, "persistence")!.rmse).toBeCloseTo(Math.sqrt(15), 14)
        // the float model's output 1 is the current value too
        expect(method(e6, "float")!.predictions).toEqual([2, 2, 6])
        // persistence at 1: errors 0 4 3
        expect(method(e1, "persistence")!.mae).toBeCloseTo(7 / 3, 14)
        // residuals actual - forecast: h1 0 4 -3 -> in [-4, 0]: 0, -3 (2 of 3); h6 5 2 -4 -> in [1, 6]: 5, 2 (2 of 3; output 0's interval would hold 1 of 3)
        expect(e1.interval!.covered).toBeCloseTo(2 / 3, 14)
        expect(e6.interval!.covered).toBeCloseTo(2 / 3, 14)
        expect([e6.interval!.lower, e6.interval!.upper]).toEqual([1, 6])
    })

    it("runs the statistical baseline at each horizon: a seasonal random walk forecasts the value whole seasons back", async () => {
        // ARIMA(0,0,0)(0,1,0)4: y[t] = y[t - 4] + e, so from row t the row t + h is y[t + h - 4 ceil(h / 4)], as the seasonal naive
        const walk: SeasonalArima = { kind: "arima", order: [0, 0, 0], seasonal: [0, 1, 0], period: 4, ar: [], ma: [], seasonalAr: [], seasonalMa: [], mean: 0, variance: 1, rows: 12, fitter: "by hand" }
        const model = copies([1, 6], { statistical: walk })
        const [e1, e6] = await evaluateOutputs(model, data, { encoding: null, period: { rows: 4, source: "--period" } })
        expect(method(e1, "statistical")!.predictions).toEqual([1, 5, 3])
        expect(method(e6, "statistical")!.predictions).toEqual([5, 3, 2])
    })

    it("scores only the outputs that forecast the target column", async () => {
        const model = { ...copies([1, 6]), outputNames: ["y", "z"] }
        expect((await evaluateOutputs(model, data, { encoding: null, period: { rows: 4, source: "--period" } })).map(e => e.horizon)).toEqual([1])
    })
})

describe("model.json horizons", () => {
    it("are checked: one per output, whole rows, not next to horizon, not with a season input", () => {
        expect(() => validateModel(copies([1, 2]))).not.toThrow()
        expect(() => validateModel({ ...copies([1, 2]), horizon: 2 })).toThrow(/^model: has both horizon and horizons/)
        expect(() => validateModel({ ...copies([1, 2]), horizons: [1] })).toThrow(/^horizons: is \[1\], expected 2 horizons, one per output/)
        expect(() => validateModel(copies([1, 0]))).toThrow(/^horizons: value 1 is 0, expected an integer of at least 1/)
        const seasonal = (hs: number[]): CanonicalModel => ({
            ...copies(hs),
            inputSize: 2,
            layers: [{ type: "dense", inputSize: 2, units: hs.length, activation: "linear", W: hs.map(() => [1, 0]), b: hs.map(() => 0) }],
            features: { season: [0] },
            period: 4,
        })
        expect(() => validateModel(seasonal([1, 2]))).toThrow(/^horizons: several horizons work with the level and change targets only/)
        expect(() => validateModel(seasonal([2, 2]))).not.toThrow()
    })

    it("--horizon is rows ahead or a range a..b", () => {
        expect(parseHorizon("3")).toEqual([3])
        expect(parseHorizon("1..3")).toEqual([1, 2, 3])
        expect(parseHorizon("2..2")).toEqual([2])
        for (const bad of ["0", "1..0", "1..x", "", "0..2", "1..65"]) expect(() => parseHorizon(bad), bad).toThrow(/^--horizon must be rows ahead/)
    })

    it("dsrnn train refuses a bad --horizon in one line", async () => {
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-horizons-"))
        const csv = join(dir, "s.csv")
        writeFileSync(csv, ["y", ...Y].join("\n"))
        for (const bad of ["0", "1..0", "1..x"]) {
            const r = await runCli(["train", csv, "--target", "y", "--horizon", bad, "--out", join(dir, "m.json")])
            expect(r.code, bad).not.toBe(0)
            expect(r.stderr.trim()).toBe(`dsrnn: --horizon must be rows ahead (e.g. 3) or a range a..b from 1 up, at most 64 horizons (e.g. 1..3), got "${bad}"`)
        }
    }, 60_000)
})

/** 100 + 10 sin(2 pi t / 16) */
function sine(n: number): Columns {
    const target = Array.from({ length: n }, (_, t) => 100 + 10 * Math.sin((2 * Math.PI * t) / 16))
    return { inputNames: ["level"], inputs: target.map(v => [v]), target, lines: target.map((_, t) => t + 2), notes: [] }
}

describe("train --horizon 1..3", () => {
    it("tries no season input or season target, and refuses them by flag in one line", () => {
        const plan = (horizon: number[], more: Partial<TrainOptions> = {}) => planCandidates(sine(160), "level", resolveTrainOptions({ target: "level", horizons: horizon, period: 16, ...more }, 160, true))
        const seasonal = (p: ReturnType<typeof plan>) => p.candidates.filter(c => c.inputs.season || c.target === "season").length
        // one horizon tries them, so the check below can fail
        expect(seasonal(plan([3]))).toBeGreaterThan(0)
        expect(seasonal(plan([1, 2, 3]))).toBe(0)
        const why = "several horizons (--horizon 1..3) take the level and change targets only: a season input looks back a different number of rows for each horizon"
        expect(() => plan([1, 2, 3], { derived: parseDerived("season") })).toThrow(`--derived season: ${why}`)
        expect(() => plan([1, 2, 3], { targetMode: "season" })).toThrow(`--target-mode season: ${why}`)
    })


    it("gives three outputs, streams the RMSE over all three, and each is scored and simulated as the reference runs", async () => {
        const r = await train(sine(160), { target: "level", horizons: [1, 2, 3], targetMode: "change", epochs: 3, window: 16, seed: 1 }, "test")
        const { model, validation } = r
        expect(model.outputSize).toBe(3)
        expect(model.horizons).toEqual([1, 2, 3])
        expect(model.horizon).toBeUndefined()
        expect(model.outputNames).toEqual(["level", "level", "level"])
        expect(model.residual).toEqual([0, 0, 0])
        // a change is scaled, not centred: mean 0, and one scale pooled over the three, the root of the mean of
        // their mean squares; training rows t = 0..124 (128 rows, 3 ahead)
        const rows0 = sine(160).target.slice(0, model.training!.trainRows)
        const meanSquares = [1, 2, 3].map(h => {
            const d = rows0.slice(0, rows0.length - 3).map((v, t) => rows0[t + h] - v)
            return d.reduce((a, x) => a + x * x, 0) / d.length
        })
        const pooled = Math.sqrt(meanSquares.reduce((a, v) => a + v, 0) / 3)
        expect(model.outputNormalization!.mean).toEqual([0, 0, 0])
        for (const s of model.outputNormalization!.std) expect(s).toBeCloseTo(pooled, 6)
        // the streaming RMSE that picked the epoch: every horizon's errors, rows t = 0..n-4, by hand on the float64 reference
        const pred = new ReferenceModel(model).run(validation.inputs)
        let sq = 0
        let count = 0
        for (let t = 0; t + 3 < validation.target.length; t++)
            for (const [j, h] of [1, 2, 3].entries()) {
                sq += (pred[t][j] - validation.target[t + h]) ** 2
                count++
            }
        expect(r.streamRmse).toBeCloseTo(Math.sqrt(sq / count), 3)
        // each horizon scored against its own persistence: target[t] for target[t + h]
        const evals = await evaluateOutputs(model, validation, { encoding: null, period: { rows: 16, source: "--period" } })
        expect(evals.map(e => e.horizon)).toEqual([1, 2, 3])
        for (const [j, e] of evals.entries()) {
            const h = j + 1
            const p = method(e, "persistence")!
            const rows = e.actual.map((_, i) => e.start + i)
            expect(e.actual).toEqual(rows.map(t => validation.target[t + h]))
            expect(p.predictions).toEqual(rows.map(t => validation.target[t]))
            expect(method(e, "float")!.predictions).toEqual(rows.map(t => pred[t][j]))
        }
        // persistence misses more the further ahead: sin changes more over 3 rows than over 1
        expect(method(evals[2], "persistence")!.rmse).toBeGreaterThan(method(evals[0], "persistence")!.rmse * 2)
        // the sensor app compares only the 1-row output with the next reading
        expect(resolveTargets(model, ["temperature"])).toEqual(["temperature", null, null])
        // the device runs every output as the float64 reference of its quantized model
        const rows = validation.inputs.slice(0, 12)
        const got = await simulate(model, rows, { encoding: "f32" })
        const expected = new ReferenceModel(quantizeModel(model, "f32")).run(rows)
        got.forEach((row, t) => {
            expect(row.length).toBe(3)
            row.forEach((v, j) => expect(Math.abs(v - expected[t][j])).toBeLessThan(1e-9))
        })
    }, 120_000)

    it("dsrnn train prints one table per horizon and calibrates an interval per horizon on its own residuals", async () => {
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-horizons-"))
        const csv = join(dir, "s.csv")
        const out = join(dir, "m.json")
        const s = sine(160)
        writeFileSync(csv, ["level", ...s.target.map(v => v.toFixed(6))].join("\n"))
        const r = await runCli(["train", csv, "--target", "level", "--horizon", "1..3", "--epochs", "2", "--window", "16", "--period", "16", "--residual", "off", "--no-device", "-q", "--out", out])
        expect(r.code, r.stderr).toBe(0)
        for (const h of [1, 2, 3]) expect(r.stdout).toContain(`validation rows of ${csv}, horizon ${h}: `)
        expect(r.stdout.match(/prediction interval/g)).toHaveLength(3)
        expect(r.stdout).toContain(`-> level 1..3 rows ahead`)
        const model = JSON.parse(readFileSync(out, "utf8")) as CanonicalModel
        expect(model.training!.command).toContain("--horizon 1..3")
        // the anomaly threshold stays on the 1-row output
        expect(model.anomaly).toBeDefined()
        // each bound is one of its own horizon's validation residuals (actual - forecast), from the float64 reference by hand
        const validation = s.target.slice(model.training!.trainRows).map(v => Number(v.toFixed(6)))
        const pred = new ReferenceModel(model).run(validation.map(v => [v]))
        for (const j of [0, 1, 2]) {
            const residuals = validation.flatMap((_, t) => (t >= 15 && t + 3 < validation.length ? [validation[t + j + 1] - pred[t][j]] : []))
            const near = (b: number) => residuals.some(x => Math.abs(x - b) < 1e-9)
            expect(near(model.interval!.lower[j]), `lower ${j}`).toBe(true)
            expect(near(model.interval!.upper[j]), `upper ${j}`).toBe(true)
        }
    }, 120_000)
})
