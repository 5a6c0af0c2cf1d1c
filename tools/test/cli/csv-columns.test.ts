/**
 * Through the real CLI: a CSV with the model's columns in another order and a
 * date column. `simulate` (float64 reference, no simulator) must give the
 * outputs computed by hand from the numbers written here, and `evaluate`
 * (no device) the same table as on the columns in the model's order. Both say
 * once which column they skipped.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../helpers/cli.ts"

/** rnn(1) with no recurrence and dense(1) = identity: y = tanh(0.5 t - 0.25 h + 0.001 p), one row at a time. */
const MODEL = {
    format: "dsrnn-model",
    version: 1,
    inputSize: 3,
    outputSize: 1,
    inputNames: ["t", "h", "p"],
    outputNames: ["t"],
    layers: [
        { type: "rnn", inputSize: 3, units: 1, activation: "tanh", Wx: [[0.5, -0.25, 0.001]], Wh: [[0]], bx: [0], bh: [0] },
        { type: "dense", inputSize: 1, units: 1, activation: "linear", W: [[1]], b: [0] },
    ],
}
/** [t, h, p] per row, as written in both files below. */
const ROWS = [
    [1.25, 2, 1000],
    [-0.5, 1, 998],
    [2, -3, 1002],
    [0.75, 0.5, 1001],
    [1.5, 1.5, 999],
    [0, 2.5, 1000],
]
const byHand = ROWS.map(([t, h, p]) => Math.tanh(0.5 * t - 0.25 * h + 0.001 * p))

let dir: string
let model: string
let inOrder: string
let reordered: string

beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dsrnn-csvcols-"))
    model = join(dir, "model.json")
    await writeFile(model, JSON.stringify(MODEL))
    inOrder = join(dir, "in-order.csv")
    await writeFile(inOrder, ["t,h,p", ...ROWS.map(r => r.join(","))].join("\n") + "\n")
    reordered = join(dir, "reordered.csv")
    await writeFile(reordered, ["p,date,h,t", ...ROWS.map(([t, h, p], i) => `${p},2024-01-0${i + 1},${h},${t}`)].join("\n") + "\n")
})

describe.concurrent("the model's columns by name through the CLI", () => {
    it("simulate: columns reordered and a date column give the hand-computed outputs", async ({ expect }) => {
        const out = join(dir, "sim.csv")
        const r = await runCli(["simulate", model, "-i", reordered, "-o", out, "--reference"])
        expect(r.code, r.stderr).toBe(0)
        expect(r.stdout).toBe(`data: skipping columns not in the model: date\nwrote ${ROWS.length} float64 reference rows to ${out}\n`)
        const [header, ...lines] = (await readFile(out, "utf8")).trim().split("\n")
        expect(header).toBe("y0")
        expect(lines).toHaveLength(ROWS.length)
        lines.forEach((line, i) => expect(Number(line)).toBeCloseTo(byHand[i], 14))
    })

    it("evaluate: the same table as on the columns in the model's order", async ({ expect }) => {
        const [a, b] = await Promise.all([runCli(["evaluate", model, "--data", reordered, "--no-device"]), runCli(["evaluate", model, "--data", inOrder, "--no-device"])])
        expect(a.code, a.stderr).toBe(0)
        expect(b.code, b.stderr).toBe(0)
        const [note, ...table] = a.stdout.split("\n")
        expect(note).toBe("data: skipping columns not in the model: date")
        expect(table.join("\n").replaceAll(reordered, "<csv>")).toBe(b.stdout.replaceAll(inOrder, "<csv>"))
        // the output at row i - 1 forecasts t at row i; evaluate scores rows 3 to 5 (it says so)
        expect(table[0]).toContain("3 forecasts, 1 row ahead, streamed from zero state (rows 3 to 5 scored)")
        const rmse = Math.sqrt([3, 4, 5].reduce((s, i) => s + (byHand[i - 1] - ROWS[i][0]) ** 2, 0) / 3)
        expect(table.join("\n")).toMatch(new RegExp(`float model \\(float64\\) +${rmse.toPrecision(4)} `))
    })
})
