/**
 * What training says when it ends, checked against hand-written expectations:
 * one 1-based epoch number in model.json, on the console and in the report,
 * a hint when the --epochs cap stopped a model that was still improving, and
 * counts and shares worded as a person would ("1 epoch", "0.1% lower").
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { TrainingRecord } from "../../src/model/canonical.ts"
import { count, percent } from "../../src/core/wording.ts"
import { renderReport } from "../../src/report/report.ts"
import { formatEvaluation } from "../../src/eval/evaluate.ts"
import type { Evaluation } from "../../src/eval/evaluation.ts"
import { epochCapHint, notLearnedLine } from "../../src/train/summary.ts"
import { runCli } from "../helpers/cli.ts"

const epochs = (rmse: number[]): TrainingRecord["epochs"] => rmse.map(streamRmse => ({ loss: 1, windowLoss: 1, streamRmse }))
const record = (rmse: number[], bestEpoch: number): TrainingRecord => ({ command: "t", trainRows: 80, validationRows: 20, epochs: epochs(rmse), bestEpoch })

describe("training summary", () => {
    it("hints a doubled --epochs when the best epoch is the last one at the cap, and not otherwise", () => {
        expect(epochCapHint(record([3, 2, 1], 3), 3)).toBe("the best epoch is the last one (3 of --epochs 3): the model was still improving; try --epochs 6")
        expect(epochCapHint(record([3, 1, 2], 2), 3)).toBeUndefined()
    })

    it("says when no epoch improved on the first, and that it forecasts like persistence when its RMSE is within 5% of persistence's", () => {
        expect(notLearnedLine(record([1.0, 1.2, 1.1], 1), 1.0, 1.03)).toBe("the model did not learn: no epoch improved on the first one's streaming RMSE (1.000); it forecasts like persistence (RMSE 1.030 on the same rows)")
        expect(notLearnedLine(record([1.0, 1.2, 1.1], 1), 1.0, 2.0)).toBe("the model did not learn: no epoch improved on the first one's streaming RMSE (1.000)")
        // a later best epoch, or a single epoch, says nothing
        expect(notLearnedLine(record([1.2, 1.0], 2), 1.0, 1.0)).toBeUndefined()
        expect(notLearnedLine(record([1.0], 1), 1.0, 1.0)).toBeUndefined()
    })

    it("words counts and shares: 1 epoch, 2 epochs, 0.1% lower, 58% lower", () => {
        expect([count(1, "epoch"), count(2, "epoch"), count(6077, "row")]).toEqual(["1 epoch", "2 epochs", "6,077 rows"])
        expect([percent(0.001), percent(0.58), percent(0.0001), percent(0)]).toEqual(["0.1%", "58%", "under 0.1%", "0%"])
        const method = (key: "float" | "persistence", rmse: number) => ({ key, label: key, rmse, mae: rmse, mase: rmse, predictions: [] })
        const e: Evaluation = { horizon: 1, start: 0, actual: [1], methods: [method("float", 0.999), method("persistence", 1)], residual: false, period: null }
        const text = formatEvaluation(e, "t.csv")
        expect(text).toContain("t.csv: 1 forecast, 1 row ahead")
        expect(text).toContain("(0.1% lower)")
    })

    it("model.json, the console and the report give the same 1-based best epoch, the one with the lowest streaming RMSE", async () => {
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-summary-"))
        const csv = join(dir, "s.csv")
        // 100 + 10 sin(2 pi t / 16): a series the network improves on epoch by epoch
        writeFileSync(csv, ["level", ...Array.from({ length: 120 }, (_, t) => (100 + 10 * Math.sin((2 * Math.PI * t) / 16)).toFixed(4))].join("\n") + "\n")
        const out = join(dir, "m.json")
        const r = await runCli(["train", csv, "--target", "level", "--epochs", "3", "--residual", "off", "--derived", "none", "--window", "16", "--no-device", "--quiet", "--out", out])
        expect(r.code, r.stderr).toBe(0)
        // the progress lines are numbered 1..3 on stderr; the oracle is their lowest streaming RMSE
        const printed = [...r.stderr.matchAll(/^epoch (\d+)\/3 \(level, readings\):.*streaming RMSE ([\d.e+-]+)$/gm)].map(m => ({ epoch: Number(m[1]), rmse: Number(m[2]) }))
        expect(printed.map(p => p.epoch)).toEqual([1, 2, 3])
        const best = printed.reduce((a, b) => (b.rmse < a.rmse ? b : a)).epoch
        const model = JSON.parse(readFileSync(out, "utf8"))
        expect(model.training.bestEpoch).toBe(best)
        // the season is detected on the 96 training rows only, printed, and kept for evaluate and report
        expect(model.period).toBe(16)
        expect(r.stdout).toContain("period: 16 rows (detected on the training rows)")
        expect(r.stdout).toMatch(/MASE = MAE \/ [\d.]+, the training rows' seasonal naive \(16 rows\) MAE/)
        expect(r.stdout).toMatch(new RegExp(`: 3 epochs, best ${best}\\n`))
        expect(r.stdout.includes("the best epoch is the last one")).toBe(best === 3)
        const evaluation: Evaluation = { horizon: 1, start: 0, actual: [1, 2], methods: [{ key: "float", label: "float", rmse: 1, mae: 1, mase: 1, predictions: [1, 2] }, { key: "persistence", label: "p", rmse: 2, mae: 2, mase: 2, predictions: [1, 2] }], residual: false, period: null }
        const html = await renderReport({ model, evaluation, encoding: "f32", source: csv })
        expect(html).toContain(`best epoch ${best} of 3`)
    }, 120_000)
})
