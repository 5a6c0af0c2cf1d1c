/**
 * Issue 17's targets on the real series of tools/scripts/real-series.ts, with
 * the committed models (tools/data/series/, remade by `series-bench.ts
 * --retrain`) run on the simulated device, i8 weights, over every held-out
 * row: the device is below persistence and the seasonal naive forecast, at
 * most 5% above the statistical baseline (the ARIMA evaluate runs), and
 * within 2% of the float model.
 *
 * The baselines are worked out here from the CSV text in float64, apart from
 * evaluate.ts: the held-out values, the value one row back and one season
 * back. Evaluation's own baseline RMSEs must equal them, which also pins the
 * scored rows to exactly the held-out ones.
 *
 * A target today's model misses is listed in KNOWN_LOSSES and runs as
 * `it.fails`: it must still fail, so the day a retrained model meets it this
 * test says so, and the entry is to be removed.
 */
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { method } from "../../src/eval/evaluate.ts"
import { DATA_DIR, REAL_SERIES, type RealSeries, type SeriesScore, madeBy, scoreSeries } from "../../scripts/real-series.ts"
import { REPO_ROOT } from "../helpers/cli.ts"

/** The device's RMSE within 2% of the float model's (issue 17), either way: a device luckily better than its float model is still not the model that was trained. */
const DEVICE_FLOAT_SHARE = 0.02
/** The device's RMSE at most 5% above the statistical baseline's (issue 17). */
const STATISTICAL_SHARE = 0.05

/** "<series> <target>": the held-out figures of today's committed model that miss it (series-bench.ts prints them). */
const KNOWN_LOSSES: Record<string, string> = {}

const rmse = (pred: number[], actual: number[]) => Math.sqrt(pred.reduce((a, p, i) => a + (p - actual[i]) ** 2, 0) / actual.length)

/** The baselines by hand from the CSV: held-out row i is file row cut + i, persistence takes row cut + i - 1, the seasonal naive row cut + i - period. */
function handBaselines(s: RealSeries): { actual: number[]; persistence: number; seasonal: number } {
    const [header, ...rows] = readFileSync(join(REPO_ROOT, DATA_DIR, s.file), "utf8").trim().split(/\r?\n/)
    const col = header.split(",").indexOf(s.target)
    const y = rows.map(r => Number(r.split(",")[col]))
    const cut = y.length - s.heldOut
    const held = Array.from({ length: s.heldOut }, (_, i) => cut + i)
    const actual = held.map(t => y[t])
    return { actual, persistence: rmse(held.map(t => y[t - 1]), actual), seasonal: rmse(held.map(t => y[t - s.period]), actual) }
}

for (const s of REAL_SERIES) {
    describe(`${s.name}: ${s.title}, ${s.heldOut} held-out ${s.step}s on the device (i8)`, () => {
        let score: SeriesScore
        let hand: ReturnType<typeof handBaselines>
        beforeAll(async () => {
            score = await scoreSeries(s, "i8", mkdtempSync(join(tmpdir(), `dsrnn-series-${s.name}-`)))
            hand = handBaselines(s)
        }, 300_000)
        const target = (what: string, check: () => void) => {
            const known = KNOWN_LOSSES[`${s.name} ${what}`]
            if (known) it.fails(`misses: device below ${what} (known today: ${known})`, check)
            else it(`device below ${what}`, check)
        }

        it("the committed model was made by the list's train command (else: series-bench.ts --retrain)", () => {
            expect(madeBy(score.model.training!.command, s)).toBe(true)
        })
        it("scores exactly the held-out rows, with the baselines worked out by hand", () => {
            const e = score.evaluation
            expect(e.actual).toEqual(hand.actual)
            expect(method(e, "persistence")!.rmse).toBeCloseTo(hand.persistence, 9)
            expect(method(e, "seasonal")!.rmse).toBeCloseTo(hand.seasonal, 9)
        })
        target("persistence", () => expect(method(score.evaluation, "device")!.rmse).toBeLessThan(hand.persistence))
        target("seasonal naive", () => expect(method(score.evaluation, "device")!.rmse).toBeLessThan(hand.seasonal))
        target(`${1 + STATISTICAL_SHARE} x the ARIMA baseline`, () => expect(method(score.evaluation, "device")!.rmse).toBeLessThanOrEqual((1 + STATISTICAL_SHARE) * method(score.evaluation, "statistical")!.rmse))
        it(`device RMSE within ${DEVICE_FLOAT_SHARE * 100}% of the float model's`, () => {
            const ratio = method(score.evaluation, "device")!.rmse / method(score.evaluation, "float")!.rmse
            expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(DEVICE_FLOAT_SHARE)
        })
    })
}
