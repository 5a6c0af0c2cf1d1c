/**
 * `dsrnn train`'s choice of target and derived inputs from the command line:
 * the flags it refuses in one line before training (nothing written, no
 * stack), and the printout of a real choice with what model.json keeps of it.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runCli } from "../helpers/cli.ts"
import { trainOptions } from "../../src/cli/train-options.ts"

/** n rows of a `period`-row cycle (level) and a slow drift (other): the season is clear. */
function csv(n: number, period = 12): { dir: string; file: string; out: string } {
    const dir = mkdtempSync(join(tmpdir(), "dsrnn-select-"))
    const file = join(dir, "s.csv")
    const rows = Array.from({ length: n }, (_, t) => `${(100 + 10 * Math.sin((2 * Math.PI * t) / period)).toFixed(4)},${(0.01 * t).toFixed(4)}`)
    writeFileSync(file, ["level,other", ...rows].join("\n") + "\n")
    return { dir, file, out: join(dir, "m.json") }
}

describe("train's flags as typed options (cli/train-options.ts)", () => {
    it("turns each string into what train takes: layers, horizons, the target mode, the derived set", () => {
        const o = trainOptions({ target: "level", arch: "LSTM:16,gru:8", horizon: [1, 2, 3], derived: "day,change", targetMode: "season" }, true)
        expect(o.layers).toEqual([{ type: "lstm", units: 16 }, { type: "gru", units: 8 }])
        expect(o.horizons).toEqual([1, 2, 3])
        expect(o.derived).toEqual({ change: true, season: false, calendar: ["day"] })
        expect(o.targetMode).toBe("season")
    })

    it("maps --residual, the old name of --target-mode: on is change, off is level", () => {
        expect(trainOptions({ target: "level", residual: "on" }, true).targetMode).toBe("change")
        expect(trainOptions({ target: "level", residual: "off" }, true).targetMode).toBe("level")
        expect(trainOptions({ target: "level", residual: "auto" }, true).targetMode).toBe("auto")
        expect(trainOptions({ target: "level" }, true).targetMode).toBe("auto")
    })
})

describe.concurrent("dsrnn train refuses target and derived-input flags in one line", () => {
    it.each([
        [["--target-mode", "trend"], "--target-mode must be auto, level, change, season or statistical, got trend"],
        [["--target-mode", "change", "--residual", "on"], "--residual is the old name of --target-mode: give only --target-mode"],
        [["--residual", "maybe"], "--residual must be auto, on or off (the old name of --target-mode auto, change or level), got maybe"],
        [["--derived", "change,hour"], '--derived: "hour" is not a derived input; use auto, none, or a comma-separated list of change, season, day, week, year, statistical'],
        [["--target-mode", "season", "--derived", "change"], "--target-mode season adds back the target's seasonal value, so --derived must list season"],
        [["--derived", "day"], "--derived day: calendar inputs need the rows' times, and the CSV has no timestamp column"],
        [["--target-mode", "season", "--inputs", "other"], "--target-mode season adds the seasonal naive level back, so level must be one of --inputs"],
        [["--period", "96"], "--period must be a whole number of rows from 2 to 95 (shorter than the 96 training rows), got 96"],
    ])("%j", async (flags, message) => {
        const { file, out } = csv(120)
        const r = await runCli(["train", file, "--target", "level", ...flags, "--no-device", "-o", out])
        expect(r.code, r.stderr).toBe(1)
        expect(r.stderr.trim()).toBe(`dsrnn: ${message}`)
        expect(r.stdout).toBe("")
        expect(existsSync(out)).toBe(false)
    })

    it("--target-mode season on rows without a season", async () => {
        const dir = mkdtempSync(join(tmpdir(), "dsrnn-select-"))
        const file = join(dir, "line.csv")
        writeFileSync(file, ["level", ...Array.from({ length: 120 }, (_, t) => String(2 * t))].join("\n") + "\n")
        const r = await runCli(["train", file, "--target", "level", "--target-mode", "season", "--no-device", "-o", join(dir, "m.json")])
        expect(r.stderr.trim()).toBe("dsrnn: --target-mode season: no season was detected in the training rows of level; give --period N")
        expect(r.code).toBe(1)
    })
})

describe("dsrnn train prints its choice", () => {
    it("one line per candidate with its streaming RMSE, the choice and why; model.json keeps it and the command to repeat it", async () => {
        const { file, out } = csv(120)
        const r = await runCli(["train", file, "--target", "level", "--inputs", "level", "--epochs", "4", "--window", "16", "--no-device", "--quiet", "--out", out])
        expect(r.code, r.stderr).toBe(0)
        const lines = r.stdout.split("\n")
        const head = lines.findIndex(l => l.startsWith("chose among 11 candidates on streaming validation RMSE: each trained up to 4 epochs; "))
        expect(head, r.stdout).toBeGreaterThan(0)
        // 3 input sets x level/change, 2 x season, and the statistical target on the set with the ARIMA forecast
        const rows = lines.slice(head + 1, head + 12)
        const parsed = rows.map(l => /^ {2}([* ]) (\w+, [\w +]+?)\s+RMSE ([\d.]+) {2}\(best epoch \d of 4, trained to the end\)$/.exec(l))
        expect(parsed.every(Boolean), rows.join("\n")).toBe(true)
        // the star marks the lowest RMSE, and the chosen line names it
        const rmse = parsed.map(m => Number(m![3]))
        const star = parsed.findIndex(m => m![1] === "*")
        expect(rmse[star]).toBe(Math.min(...rmse))
        expect(lines[head + 12]).toMatch(new RegExp(`^chosen: .*: the lowest streaming validation RMSE, ${rmse[star].toPrecision(4).replace(".", "\\.")}, `))
        const model = JSON.parse(readFileSync(out, "utf8"))
        const label = parsed[star]![2]
        expect(label.startsWith(`${model.training.chosen.target},`)).toBe(true)
        expect(model.training.candidates.map((c: { label: string }) => c.label)).toEqual(parsed.map(m => m![2]))
        expect(model.period).toBe(12)
        expect(model.training.command).toContain("--target-mode auto --derived auto")
        // the last line names the same target as the choice (it said "change from the current value" for every change target)
        const chosen = /^chosen: (.*?), inputs /.exec(lines[head + 12])![1]
        const wrote = lines.find(l => l.startsWith(`wrote ${out}: `))!
        expect(wrote).toBe(`wrote ${out}: level -> level 1 row ahead${model.training.chosen.target === "level" ? "" : ` (${chosen})`}`)
    }, 120_000)

    it("a season longer than the validation part: no season candidate, the table stands a moving average in, model.json keeps the season", async () => {
        const { file, out } = csv(120, 30)
        const r = await runCli(["train", file, "--target", "level", "--inputs", "level", "--epochs", "2", "--window", "16", "--no-device", "--quiet", "--out", out])
        expect(r.code, r.stderr).toBe(0)
        // 3 input sets (no season) x level/change, and the statistical target
        expect(r.stdout).toContain("chose among 7 candidates")
        expect(r.stdout).not.toMatch(/season, readings/)
        expect(r.stdout).toContain("no season scored: the 30-row season does not fit in the 24 validation rows: the seasonal naive forecast is left out")
        expect(JSON.parse(readFileSync(out, "utf8")).period).toBe(30)
    }, 120_000)
})
