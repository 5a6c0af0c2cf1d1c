/**
 * One place chooses the code: the plan compile, simulate and bench emit,
 * the one build deploys and the one the report's budget chart costs are each
 * the very plan choosePlan returned. The model, LSTM(64) > Dense(1), gets
 * different paths per layer, so a stage that chose again (or fell back to
 * flash matrices) would show. The VM runs are stubbed: only which plan
 * reaches them is checked.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it, vi } from "vitest"
import { type ModelPlan, type PlanChoice, choosePlan, describePlan } from "../../src/emit/plan.ts"
import { emitModule } from "../../src/emit/emit.ts"
import { simulate } from "../../src/run/simulate.ts"
import { bench } from "../../src/run/bench.ts"
import { prepareApp } from "../../src/board/app-build.ts"
import { buildOptions } from "../../src/cli/app-options.ts"
import { estimateBudget } from "../../src/board/budget.ts"
import { getBoard } from "../../src/board/boards.ts"
import { boardBudgets } from "../../src/report/report.ts"
import { main } from "../../src/cli/cli.ts"
import { libraryImportFor } from "../../src/run/paths.ts"
import { randomLstmModel } from "../../src/model/random.ts"

vi.mock("../../src/emit/plan.ts", async importOriginal => {
    const m = await importOriginal<typeof import("../../src/emit/plan.ts")>()
    return { ...m, choosePlan: vi.fn(m.choosePlan) }
})
vi.mock("../../src/run/simulate.ts", async importOriginal => {
    const m = await importOriginal<typeof import("../../src/run/simulate.ts")>()
    return { ...m, simulate: vi.fn(async (_model: unknown, rows: number[][]) => rows.map(() => [0])) }
})
vi.mock("../../src/run/bench.ts", async importOriginal => {
    const m = await importOriginal<typeof import("../../src/run/bench.ts")>()
    return { ...m, bench: vi.fn(async (plan: ModelPlan) => ({ code: describePlan(plan) })) }
})

const dir = mkdtempSync(join(tmpdir(), "dsrnn-plan-choice-"))
const model = { ...randomLstmModel(3, 64, 1), name: "wide", inputNames: ["temperature", "humidity", "pressure"] }
const modelFile = join(dir, "wide.json")
writeFileSync(modelFile, JSON.stringify(model))
writeFileSync(join(dir, "in.csv"), "temperature,humidity,pressure\n1,2,3\n4,5,6\n")

/** What choosePlan returned on its last call. */
function lastChoice(): PlanChoice {
    const results = vi.mocked(choosePlan).mock.results
    expect(results.length, "choosePlan was called").toBeGreaterThan(0)
    return results[results.length - 1].value as PlanChoice
}

async function cli(...args: string[]) {
    const log = vi.spyOn(console, "log").mockImplementation(() => {})
    const error = vi.spyOn(console, "error").mockImplementation(() => {})
    try {
        expect(await main(["node", "dsrnn", ...args])).toBe(0)
    } finally {
        log.mockRestore()
        error.mockRestore()
    }
}

afterEach(() => {
    vi.mocked(choosePlan).mockClear()
})

describe("every stage uses the plan choosePlan returned", () => {
    it("compile writes the chosen plan's module", async () => {
        const out = join(dir, "model.g.ts")
        await cli("compile", modelFile, "--weights", "i8", "--out", out)
        const { plan } = lastChoice()
        expect(plan.layers.map(l => l.path)).toEqual(["unrolled-flash", "literal-code"])
        expect(readFileSync(out, "utf8")).toBe(emitModule(plan, { libraryImport: libraryImportFor(out), source: "wide.json" }))
    })

    it("simulate runs it", async () => {
        await cli("simulate", modelFile, "--input", join(dir, "in.csv"), "--output", join(dir, "out.csv"), "--weights", "i8")
        expect(vi.mocked(simulate).mock.calls[0][2].plan).toBe(lastChoice().plan)
    })

    it("bench times it", async () => {
        await cli("bench", modelFile, "--weights", "i8", "--json")
        expect(vi.mocked(bench).mock.calls[0][0]).toBe(lastChoice().plan)
    })

    it("build deploys it, and the report's budget chart costs the same plan", async () => {
        const p = await prepareApp(modelFile, buildOptions({ board: "pico", weights: "i8", period: "1000" }))
        const chosen = lastChoice()
        expect(p.plan).toBe(chosen.plan)
        expect(p.why).toBe(chosen.why)
        const pico = boardBudgets(model, "i8").find(b => b.board.id === "pico")!
        expect(pico.code).toBe(describePlan(chosen.plan))
        expect(pico.budget).toEqual(estimateBudget(chosen.plan, getBoard("pico")))
        expect(pico.budget).toEqual(p.budget)
    })
})
