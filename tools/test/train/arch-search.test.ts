/**
 * --arch auto's search (train/arch-search.ts) with the board check and the
 * trainer injected: which candidates train, which one is chosen and what is
 * recorded. Then one real run through the CLI on a few rows.
 */
import { readFile, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { UserError } from "../../src/core/errors.ts"
import { validateModel } from "../../src/model/validate.ts"
import { parseArch } from "../../src/train/options.ts"
import { ARCH_GRID, archOf, candidateSummary, candidateTable, parseGrid, searchArch, shapeModel } from "../../src/train/arch-search.ts"
import { getBoard } from "../../src/board/boards.ts"
import { estimateBudget } from "../../src/board/budget.ts"
import { planModel } from "../../src/emit/plan.ts"
import { runCli } from "../helpers/cli.ts"

/** A trainer that returns fixed RMSEs and counts what it trained. */
function fakeTrainer(rmse: Record<string, number>, inputs = 3) {
    const trained: string[] = []
    const trainOne = async (arch: string) => {
        trained.push(arch)
        return { streamRmse: rmse[arch], model: shapeModel(parseArch(arch), inputs) as CanonicalModel }
    }
    return { trained, trainOne }
}

/** Refuses recurrent layers of more than `units` units, as a small board's heap would. */
const atMost = (units: number) => (m: CanonicalModel) => (m.layers.some(l => l.type !== "dense" && l.units > units) ? { why: `over ${units} units` } : { stepMs: m.layers[0].units / 2 })

describe("searchArch", () => {
    it("skips what does not fit before training, trains the rest and keeps the lowest streaming RMSE", async () => {
        const { trained, trainOne } = fakeTrainer({ "lstm:8": 0.5, "lstm:16": 0.3, "gru:8": 0.4, "gru:16": 0.35 })
        const r = await searchArch(["lstm:8", "lstm:16", "lstm:32", "gru:8", "gru:16", "gru:32"], 3, atMost(16), trainOne)
        expect(trained).toEqual(["lstm:8", "lstm:16", "gru:8", "gru:16"])
        expect(r.chosen.arch).toBe("lstm:16")
        expect(archOf(r.best.model)).toBe("lstm:16")
        expect(r.candidates).toEqual([
            { arch: "lstm:8", fits: true, stepMs: 4, streamRmse: 0.5 },
            { arch: "lstm:16", fits: true, stepMs: 8, streamRmse: 0.3 },
            { arch: "lstm:32", fits: false, why: "over 16 units" },
            { arch: "gru:8", fits: true, stepMs: 4, streamRmse: 0.4 },
            { arch: "gru:16", fits: true, stepMs: 8, streamRmse: 0.35 },
            { arch: "gru:32", fits: false, why: "over 16 units" },
        ])
    })

    it("keeps the earlier candidate on a tie", async () => {
        const { trainOne } = fakeTrainer({ "gru:8": 0.25, "lstm:8": 0.25 })
        expect((await searchArch(["gru:8", "lstm:8"], 3, atMost(64), trainOne)).chosen.arch).toBe("gru:8")
    })

    it("checks the trained model again: one that grew past the board is dropped and the next best kept", async () => {
        // the trainer gives its models 40 inputs (derived inputs the CSV does not have); the board refuses over 20
        const { trainOne } = fakeTrainer({ "lstm:8": 0.5, "lstm:16": 0.3 }, 40)
        const fit = (m: CanonicalModel) => (m.inputSize > 20 && m.layers[0].units > 8 ? { why: "too many inputs" } : {})
        const r = await searchArch(["lstm:8", "lstm:16"], 3, fit, trainOne)
        expect(r.chosen.arch).toBe("lstm:8")
        expect(r.candidates[1]).toEqual({ arch: "lstm:16", fits: false, why: "once trained, too many inputs", streamRmse: 0.3 })
    })

    it("refuses in one line when no candidate fits, naming the first one's reason", async () => {
        const { trained, trainOne } = fakeTrainer({})
        const search = searchArch(["lstm:16", "gru:32"], 3, atMost(8), trainOne)
        await expect(search).rejects.toThrow(UserError)
        await expect(search).rejects.toThrow(/^none of the 2 candidates fits: lstm:16: over 8 units$/)
        expect(trained).toEqual([])
    })

    it("parses a grid of --arch specs separated by spaces or semicolons", () => {
        expect(parseGrid(" lstm:8  GRU:16;lstm:16,lstm:8 ")).toEqual(["lstm:8", "gru:16", "lstm:16,lstm:8"])
        expect(parseGrid(ARCH_GRID.join(" "))).toEqual(ARCH_GRID)
        expect(() => parseGrid("lstm:8 lstm:x")).toThrow(/^--grid: "lstm:x" is not a layer/)
        expect(() => parseGrid("  ")).toThrow(/^--grid: no candidates/)
    })

    it("prints a table and a report line with the chosen candidate marked", () => {
        const candidates = [
            { arch: "lstm:8", fits: true, stepMs: 12.94, streamRmse: 0.29707 },
            { arch: "gru:32", fits: false, why: "model needs 70,000 B of heap" },
        ]
        expect(candidateTable(candidates, "lstm:8")).toEqual([
            "  candidate  fits  step (est.)  validation RMSE          why not",
            "  lstm:8     yes       12.9 ms           0.2971  chosen",
            "  gru:32     no              -                -          model needs 70,000 B of heap",
        ])
        expect(candidateSummary({ board: "pico", periodMs: 1000, candidates }, "lstm:8")).toBe(
            "--arch auto on pico at a 1,000 ms period, by streaming validation RMSE: lstm:8 (chosen): RMSE 0.2971, ~12.9 ms/step (est.); gru:32: skipped, model needs 70,000 B of heap"
        )
    })
})

describe("a model file's training.search", () => {
    const withSearch = (search: unknown) => {
        const m = shapeModel(parseArch("lstm:4"), 2) as CanonicalModel
        m.training = { command: "test", trainRows: 10, validationRows: 5, epochs: [], bestEpoch: 1, search } as CanonicalModel["training"]
        return () => validateModel(m)
    }
    it("is checked field by field, since the report prints it", () => {
        const good = { board: "pico", periodMs: 1000, candidates: [{ arch: "lstm:4", fits: true, stepMs: 3, streamRmse: 0.2 }, { arch: "gru:64", fits: false, why: "x".repeat(300) }] }
        expect(withSearch(good)).not.toThrow()
        expect(withSearch({ ...good, periodMs: 0 })).toThrow(/^training.search.periodMs: is 0, expected a positive number$/)
        expect(withSearch({ ...good, candidates: [{ arch: "lstm:4", fits: true, streamRmse: "0.2" }] })).toThrow(/^training.search.candidates\[0\].streamRmse: is "0.2", expected a number/)
        expect(withSearch({ ...good, candidates: [{ arch: "lstm:4", fits: "yes" }] })).toThrow(/^training.search.candidates\[0\].fits: /)
        expect(withSearch({ ...good, candidates: [{ arch: "lstm:4", fits: false, why: "two\nlines" }] })).toThrow(/^training.search.candidates\[0\].why: .* on one line$/)
        expect(withSearch({ ...good, candidates: "all" })).toThrow(/^training.search.candidates: is not a list$/)
    })
})

describe("dsrnn train --arch auto", () => {
    let dir: string
    let csv: string
    beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), "dsrnn-arch-auto-"))
        csv = join(dir, "r.csv")
        const rows = Array.from({ length: 120 }, (_, t) => `${(15 + 3 * Math.sin((2 * Math.PI * t) / 12)).toFixed(3)},${1010 + (t % 7)}`)
        await writeFile(csv, ["temperature,pressure", ...rows].join("\n") + "\n")
    })
    afterAll(async () => {
        await rm(dir, { recursive: true, force: true })
    })

    it("trains the two candidates that fit the Pico at a 50 ms period, skips LSTM(32), keeps the lower RMSE and records all three", async () => {
        const out = join(dir, "m.json")
        const r = await runCli(["train", csv, "--target", "temperature", "--arch", "auto", "--board", "pico", "--grid", "lstm:4 gru:4 lstm:32", "--sample-period", "50", "--epochs", "2", "--window", "16", "--derived", "none", "--no-device", "-q", "-o", out])
        expect(r.code, r.stderr).toBe(0)
        expect(r.stderr.match(/^--arch auto: training \S+/gm)).toEqual(["--arch auto: training lstm:4", "--arch auto: training gru:4"])
        const model = JSON.parse(await readFile(out, "utf8")) as CanonicalModel
        const search = model.training!.search!
        expect(search.board).toBe("pico")
        expect(search.periodMs).toBe(50)
        expect(search.candidates.map(c => [c.arch, c.fits])).toEqual([["lstm:4", true], ["gru:4", true], ["lstm:32", false]])
        expect(search.candidates[2].why).toMatch(/more than the 50 ms period/)
        const [a, b] = search.candidates.map(c => c.streamRmse!)
        expect(archOf(model)).toBe(a <= b ? "lstm:4" : "gru:4")
        expect(model.training!.command).toContain("--arch auto --epochs 2")
        expect(model.training!.command).toContain('--board pico --weights i8 --grid "lstm:4 gru:4 lstm:32" --sample-period 50')
        expect(r.stdout).toMatch(new RegExp(`^  ${archOf(model)} .* chosen$`, "m"))
        // the shape checked before training costs what the trained model does: same image and heap, no fewer opcodes
        const pico = getBoard("pico")
        const trained = estimateBudget(planModel(model, "i8", "flash-matrices"), pico)
        const before = estimateBudget(planModel(shapeModel(parseArch(archOf(model)), 2), "i8", "flash-matrices"), pico)
        expect([before.imageBytes, before.heapBytes]).toEqual([trained.imageBytes, trained.heapBytes])
        expect(before.stepOpcodes).toBeGreaterThanOrEqual(trained.stepOpcodes)
        // dsrnn report lists every candidate in the model summary
        const page = join(dir, "r.html")
        const rep = await runCli(["report", out, "--data", csv, "--no-device", "-q", "-o", page])
        expect(rep.code, rep.stderr).toBe(0)
        const html = await readFile(page, "utf8")
        expect(html).toContain("<th>candidates</th>")
        expect(html).toContain(`${archOf(model)} (chosen): RMSE ${search.candidates.find(c => c.arch === archOf(model))!.streamRmse!.toPrecision(4)}`)
        expect(html).toMatch(/lstm:32: skipped, a step takes ~[\d,]+ ms/)
    }, 120_000)
})
