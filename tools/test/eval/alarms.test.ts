/**
 * The host's copy of the device's anomaly rule (eval/alarms.ts) and its
 * calibration to a false-alarm budget, against flags, alarm counts and
 * thresholds worked out by hand. The device's own rule is checked against
 * the same hand-counted flags in the VM (firmware-tests/forecaster.test.ts).
 */
import { describe, expect, it } from "vitest"
import { alarmCount, alarmRate, calibrateBudget, parseAlarmBudget, ruleFlags } from "../../src/eval/alarms.ts"
import { outputScales, scaledScores } from "../../src/eval/anomaly.ts"
import { UserError } from "../../src/core/errors.ts"
import { validateModel } from "../../src/model/validate.ts"
import { importCanonical } from "../../src/import/import-model.ts"
import { join } from "node:path"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { REPO_ROOT, runCli } from "../helpers/cli.ts"

const HOUR = 3_600_000
// the errors of the firmware test's half-gain network from row 1 on (row 0 is never checked there)
const ERRORS = [0, 1, 1, 5, 3, 3, 1, 1, 9, 3, 1, 1, 7, 4, 2]

describe("the rule: |error| > threshold on k of the last n rows", () => {
    it("1 of 1, 2 of 3 and 3 of 3 flag the rows counted by hand", () => {
        expect(ruleFlags(ERRORS, 2.5)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0])
        expect(ruleFlags(ERRORS, 2.5, [2, 3])).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1])
        expect(ruleFlags(ERRORS, 2.5, [3, 3])).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        // negative errors count by their size; equal to the threshold is not over it
        expect(ruleFlags([-3, 2.5, -2.5], 2.5)).toEqual([1, 0, 0])
    })

    it("an alarm is the flag turning on, and again every window rows it stays on", () => {
        expect(alarmCount([0, 1, 1, 1, 1, 1, 0, 1], 1)).toBe(6)
        // a run of 5: on at its rows 1, 3 and 5; then a run of 1
        expect(alarmCount([0, 1, 1, 1, 1, 1, 0, 1], 2)).toBe(4)
        expect(alarmCount([1, 1, 1, 0, 0], 3)).toBe(1)
        expect(alarmCount([1, 1, 1, 1, 0], 3)).toBe(2)
        expect(alarmCount([0, 0], 2)).toBe(0)
    })

    it("alarms per hour, day or week from rows and their spacing", () => {
        // 3 alarms in 48 hourly rows: 1.5 a day, 10.5 a week
        expect(alarmRate(3, 48, HOUR, "day")).toBe(1.5)
        expect(alarmRate(3, 48, HOUR, "week")).toBe(10.5)
        expect(alarmRate(3, 48, HOUR, "hour")).toBe(0.0625)
    })
})

describe("calibrateBudget: the most sensitive rule that meets the budget on validation", () => {
    // 10 days of hourly rows: error 0.1, with 12 lone rows of 5 and 3 pairs of rows of 3
    const errors: number[] = Array(240).fill(0.1)
    for (let i = 0; i < 12; i++) errors[10 + 19 * i] = 5
    for (const r of [15, 100, 210]) errors[r] = errors[r + 1] = -3

    it("1/day (10 alarms allowed): 1 of 1 must stay at 5, 2 of 2 gets down to 0.1 with the 3 pairs' alarms, and wins", () => {
        const rule = calibrateBudget(errors, HOUR, { alarms: 1, per: "day" })
        expect(rule.threshold).toBe(0.1)
        expect(rule.debounce).toEqual([2, 2])
        expect(rule.budget).toEqual({ alarms: 1, per: "day", rowMs: HOUR, validationAlarms: 3, validationRows: 240 })
        // 222 of 240 errors are at or below 0.1
        expect(rule.percentile).toBeCloseTo(92.5, 12)
    })

    it("0.25/day (2 allowed): the 3 pairs are too many, so 3 (with 2 of 2, the faster of the ties) and no alarm", () => {
        const rule = calibrateBudget(errors, HOUR, { alarms: 0.25, per: "day" })
        expect(rule.threshold).toBe(3)
        expect(rule.debounce).toEqual([2, 2])
        expect(rule.budget!.validationAlarms).toBe(0)
        expect(rule.percentile).toBeCloseTo(95, 12)
    })

    it("lone spikes only: 1 of 1 just below the spikes' size when they fit the budget", () => {
        const spikes = Array(240).fill(0.5)
        for (let i = 0; i < 5; i++) spikes[20 + 40 * i] = 4 + i
        const rule = calibrateBudget(spikes, HOUR, { alarms: 1, per: "day" })
        // at 0.5 the 5 spikes flag (5 <= 10 alarms); 2 of 2 would flag nothing down to 0.5 either: the same threshold, and 1 of 1 is faster
        expect(rule.threshold).toBe(0.5)
        expect(rule.debounce).toEqual([1, 1])
        expect(rule.budget!.validationAlarms).toBe(5)
    })

    it("refuses a budget of more than one alarm per 10 rows, and a model without error, naming a budget that works", () => {
        expect(() => calibrateBudget(errors, HOUR, { alarms: 3, per: "day" })).toThrow(/--false-alarms 3\/day allows an alarm every 8\.0 rows \(rows are 1 hour apart\).*e\.g\. 2\/day/)
        expect(() => calibrateBudget(errors, 86_400_000, { alarms: 1, per: "week" })).toThrow(/every 7\.0 rows \(rows are 1 day apart\).*e\.g\. 0\.7\/week/)
        expect(() => calibrateBudget([0, 0, 0], HOUR, { alarms: 1, per: "week" })).toThrow(UserError)
    })
})

describe("--false-alarms and the model format", () => {
    it("parses N/hour, N/day, N/week and refuses anything else in one line", () => {
        expect(parseAlarmBudget("1/day")).toEqual({ alarms: 1, per: "day" })
        expect(parseAlarmBudget(" 0.5 / hour ")).toEqual({ alarms: 0.5, per: "hour" })
        expect(parseAlarmBudget("3/week")).toEqual({ alarms: 3, per: "week" })
        for (const bad of ["1", "day", "1/month", "0/day", "-1/day", "1/days", "x/day"]) expect(() => parseAlarmBudget(bad), bad).toThrow(/^--false-alarms must be a number of alarms per hour, day or week/)
    })

    it("a committed model without a debounce loads as before (rule [1, 1]); a bad debounce or budget is refused", () => {
        const model = importCanonical(join(REPO_ROOT, "tools/data/seattle-lstm.json"))
        expect(model.anomaly!.debounce).toBeUndefined()
        expect(model.anomaly!.budget).toBeUndefined()
        const budget = { alarms: 1, per: "day" as const, rowMs: HOUR, validationAlarms: 3, validationRows: 240 }
        const withRule = (anomaly: object) => () => validateModel(JSON.parse(JSON.stringify({ ...model, anomaly: { ...model.anomaly, ...anomaly } })))
        expect(withRule({ debounce: [2, 3], budget })()).toBeTruthy()
        expect(withRule({ debounce: [3, 2] })).toThrow(/anomaly\.debounce/)
        expect(withRule({ debounce: [1, 17] })).toThrow(/window <= 16/)
        expect(withRule({ debounce: [1.5, 2] })).toThrow(/anomaly\.debounce/)
        expect(withRule({ budget: { ...budget, per: "month" } })).toThrow(/anomaly\.budget\.per/)
        expect(withRule({ budget: { ...budget, rowMs: 0 } })).toThrow(/anomaly\.budget\.rowMs/)
        // the demo model has one output
        expect(withRule({ scales: [0.5] })()).toBeTruthy()
        expect(withRule({ scales: [0.5, 1] })).toThrow(/anomaly\.scales.*one positive number per output \(1\)/)
        expect(withRule({ scales: [0] })).toThrow(/anomaly\.scales/)
    })
})

describe("dsrnn train --false-alarms, then evaluate", () => {
    const dir = mkdtempSync(join(tmpdir(), "dsrnn-alarms-"))
    const out = join(dir, "m.json")
    const train = ["train", "tools/data/weather.csv", "--target", "temperature", "--arch", "lstm:4", "--epochs", "2", "--no-device", "-q", "--out", out]

    it("stores the calibrated rule and the budget in model.json, and evaluate applies it and counts alarms per day", async () => {
        const r = await runCli([...train, "--false-alarms", "1/day", "--sample-period", "60000"])
        expect(r.code, r.stderr).toBe(0)
        const model = JSON.parse(readFileSync(out, "utf8"))
        const { threshold, debounce, budget } = model.anomaly
        expect(budget).toMatchObject({ alarms: 1, per: "day", rowMs: 60000 })
        expect(model.training.command).toContain("--false-alarms 1/day --sample-period 60000")
        // the reading limits and the stale rule come with every one-row-ahead model train makes
        expect(model.readingLimits.stuckRows).toHaveLength(3)
        expect(model.stale).toMatchObject({ window: 48 })
        expect(r.stdout).toMatch(/^reading limits \(training rows\): temperature stuck after \d+ alike, a jump above [0-9.]+; humidity/m)
        const rule = debounce[1] > 1 ? ` on ${debounce[0]} of the last ${debounce[1]} rows` : ""
        expect(r.stdout).toContain(`anomaly threshold ${threshold.toPrecision(4)}${rule} (for at most 1 false alarm per day: ${budget.validationAlarms} alarm`)
        expect(r.stdout).toMatch(/note: the \d+ validation rows span less time than the budget allows one alarm in/)
        const e = await runCli(["evaluate", out, "--data", "tools/data/weather.csv", "--no-device"])
        expect(e.code, e.stderr).toBe(0)
        expect(e.stdout).toMatch(new RegExp(`anomaly threshold ${threshold.toPrecision(4)}.*, \\d+ alarms?, [0-9.]+ per day against 1`))
        expect(e.stdout).toMatch(/ {2}stale \(the model's running error above persistence's for \d+ rows in a row\): /)
    }, 120_000)

    it("evaluate --labels scores the CSV's own events and the false alarms of the rows labelled 0", async () => {
        // the weather rows with a label column: rows 60-62 (file lines 62-64) 15 degrees too warm, labelled 1
        const [header, ...rows] = readFileSync(join(REPO_ROOT, "tools/data/weather.csv"), "utf8").trim().split("\n")
        const labelled = [`${header},label`, ...rows.map((r, i) => (i >= 60 && i < 63 ? `${Number(r.split(",")[0]) + 15}${r.slice(r.indexOf(","))},1` : `${r},0`))]
        const csv = join(dir, "labelled.csv")
        writeFileSync(csv, labelled.join("\n") + "\n")
        const e = await runCli(["evaluate", out, "--data", csv, "--no-device", "--labels", "label"])
        expect(e.code, e.stderr).toBe(0)
        expect(e.stdout).toMatch(/the CSV's labelled events: 1 of 1 detected \(100%\), delay median 0 rows, worst 0 rows; first flagged by .*; on the \d+ rows labelled 0: \d+ alarms?, [0-9.]+ per day/)
        writeFileSync(csv, labelled.join("\n").replace(",1\n", ",yes\n") + "\n")
        const bad = await runCli(["evaluate", out, "--data", csv, "--no-device", "--labels", "label"])
        expect(bad.stderr.trim()).toBe(`dsrnn: ${csv}: line 62 has "yes" in the label column "label" (--labels), expected 1 (anomalous) or 0`)
        const missing = await runCli(["evaluate", out, "--data", csv, "--no-device", "--labels", "flag"])
        expect(missing.stderr.trim()).toMatch(/^dsrnn: .*: no column "flag" \(--labels\)/)
    }, 120_000)

    it("without timestamps or --sample-period, a one-line error naming --sample-period", async () => {
        const r = await runCli([...train, "--false-alarms", "1/day"])
        expect(r.code).not.toBe(0)
        expect(r.stderr.trim()).toBe("dsrnn: --false-alarms counts alarms in time, and the CSV has no column of timestamps: give the time between rows with --sample-period <ms>")
        const bad = await runCli([...train, "--false-alarms", "often"])
        expect(bad.stderr.trim()).toMatch(/^dsrnn: --false-alarms must be a number of alarms per hour, day or week/)
    }, 120_000)
})

// The firmware test's two-reading half-gain network (firmware-tests/forecaster.test.ts PAIR_READINGS):
// its errors (forecast - reading) from row 1 on, scales (1, 4), threshold 2.
const PAIR_ERRORS = [
    [-1, -2],
    [-1, -14],
    [-7, 0],
    [0, -8],
    [0, 0],
    [-2, -7],
    [-0.5, 0],
    [-2.2, -8],
]

describe("several outputs, one score: the errors scaled by their spread", () => {
    it("scores each row as the root mean square of the scaled errors and names the largest, flagging as the device does", () => {
        const { scores, worst } = scaledScores(PAIR_ERRORS, [1, 4])
        // by hand: sqrt(((a / 1)^2 + (b / 4)^2) / 2)
        const want = [1.25, 13.25, 49, 4, 0, 7.0625, 0.25, 8.84].map(v => Math.sqrt(v / 2))
        scores.forEach((s, t) => expect(s).toBeCloseTo(want[t], 12))
        expect(worst).toEqual([0, 1, 0, 1, -1, 0, 0, 0])
        // the device's flags on rows 1 to 8 (row 0 is never checked there)
        expect(ruleFlags(scores, 2)).toEqual([0, 1, 1, 0, 0, 0, 0, 1])
        expect(ruleFlags(scores, 2, [2, 3])).toEqual([0, 0, 1, 1, 0, 0, 0, 0])
    })

    it("takes each output's spread as the root mean square of its validation errors, 1 for an output that never erred", () => {
        expect(outputScales([[3, 0], [-4, 0]])).toEqual([Math.sqrt(12.5), 1])
    })
})
