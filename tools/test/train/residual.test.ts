/**
 * Residual mode on a series that trends beyond its training range: monthly US
 * nonfarm employment (vega-datasets), 2006-2013 to train, the 24 months of
 * 2014-2015 held out. Those months are mostly above every level the model saw, so a
 * model that forecasts levels fails there; one that forecasts the change and
 * adds the current value back (in the float64 reference and on the device,
 * in the VM) follows the trend. Persistence is computed here by hand.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { REPO_ROOT } from "../helpers/cli.ts"
import { readColumns, readModelColumns } from "../../src/io/columns.ts"
import { evaluateModel, method } from "../../src/eval/evaluate.ts"
import { parseDerived } from "../../src/train/candidates.ts"
import { train } from "../../src/train/train.ts"

// the package exports only its JS index; its data/ folder ships next to it
const lines = readFileSync(join(REPO_ROOT, "node_modules", "vega-datasets", "data", "us-employment.csv"), "utf8").trim().split("\n")
const dir = mkdtempSync(join(tmpdir(), "dsrnn-nonfarm-"))
const twoColumns = (rows: string[]) => rows.map(l => l.split(",").slice(0, 2).join(",")).join("\n") + "\n"
const TRAIN = join(dir, "train.csv")
const TEST = join(dir, "test.csv")
writeFileSync(TRAIN, twoColumns(lines.slice(0, 97)))
writeFileSync(TEST, twoColumns([lines[0], ...lines.slice(97)]))

describe("residual mode on a trending series (us-employment nonfarm)", () => {
    it("auto picks residual; it beats persistence on the held-out trend on the device, where the level model fails", async () => {
        const data = readColumns(TRAIN, { target: "nonfarm" })
        const held = readColumns(TEST, { target: "nonfarm" })
        // on average the held-out months lie above the highest training month
        expect(held.target.reduce((a, b) => a + b, 0) / held.target.length).toBeGreaterThan(Math.max(...data.target))

        // the readings only (derived: none): the choice here is the target, and the device runs the model as it is
        const auto = await train(data, { target: "nonfarm", seed: 1, derived: parseDerived("none") }, "test")
        expect(auto.model.residual).toEqual([0])
        const e = await evaluateModel(auto.model, readModelColumns(TEST, auto.model, {}), { encoding: "i8" })
        const rows = e.actual.map((_, i) => e.start + i)
        const persistence = Math.sqrt(rows.reduce((s, t) => s + (held.target[t + 1] - held.target[t]) ** 2, 0) / rows.length)
        expect(method(e, "persistence")!.rmse).toBeCloseTo(persistence, 9)
        const device = method(e, "device")!.rmse
        const float = method(e, "float")!.rmse
        expect(device).toBeLessThan(persistence)
        expect(device).toBeLessThan(1.05 * float)

        const level = await train(data, { target: "nonfarm", seed: 1, targetMode: "level", derived: parseDerived("none") }, "test")
        const eLevel = await evaluateModel(level.model, readModelColumns(TEST, level.model, {}), { encoding: null })
        expect(method(eLevel, "float")!.rmse).toBeGreaterThan(3 * persistence)
    }, 180_000)
})
