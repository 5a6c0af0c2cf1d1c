/**
 * Help that a new user can follow: required options say so, the board
 * commands list the board ids of boards/boards.json, every example path
 * ships in the package, bundle refuses a missing firmware before it builds,
 * and deploy without --simulator says what to do on a real board.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it, vi } from "vitest"
import { buildFittingApp } from "../../src/board/app-build.ts"
import { main } from "../../src/cli/cli.ts"
import { loadBoards } from "../../src/board/boards.ts"
import { REPO_ROOT, runCli } from "../helpers/cli.ts"

// counts the builds: the bundle test expects none
vi.mock("../../src/board/app-build.ts", async importOriginal => {
    const m = await importOriginal<typeof import("../../src/board/app-build.ts")>()
    return { ...m, buildFittingApp: vi.fn(m.buildFittingApp) }
})

const MODEL = join(REPO_ROOT, "tools", "data", "weather-lstm.json")
const files: string[] = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).files

/** The option line of `flag` in a help text, with its wrapped continuation lines. */
function optionText(help: string, flag: string): string {
    const lines = help.split("\n")
    const i = lines.findIndex(l => l.includes(flag))
    expect(i, `${flag} in help`).toBeGreaterThanOrEqual(0)
    const rest = lines.slice(i + 1)
    const end = rest.findIndex(l => /^\s{0,4}-/.test(l) || !l.trim())
    return [lines[i], ...rest.slice(0, end < 0 ? rest.length : end)].join(" ").replace(/\s+/g, " ")
}

describe("help", () => {
    it.each([
        ["build", ["--board"], false],
        ["bundle", ["--board"], true],
        ["flash", ["--board"], true],
        ["deploy", ["--input", "--simulator"], false],
    ] as const)("%s --help marks %j required, lists the board ids, and its example's paths ship in the package", async (cmd, required, physical) => {
        const r = await runCli([cmd, "--help"])
        expect(r.code).toBe(0)
        for (const flag of required) expect(optionText(r.stdout, flag)).toContain("required")
        const ids = loadBoards()
            .filter(b => !physical || b.firmware)
            .map(b => b.id)
        const boardText = optionText(r.stdout, "--board")
        for (const id of ids) expect(boardText).toContain(id)
        if (physical) expect(boardText).not.toContain("simulator")
        const example = r.stdout.split("Example:")[1]
        const paths = [...example.matchAll(/node_modules\/devicescript-rnn\/(\S+)/g)].map(m => m[1])
        expect(paths.length).toBeGreaterThan(0)
        for (const p of paths) {
            expect(existsSync(join(REPO_ROOT, p)), p).toBe(true)
            expect(files.some(f => p === f || (f.endsWith("/") && p.startsWith(f))), `${p} in package.json files`).toBe(true)
        }
        expect(example).not.toMatch(/\s(?!node_modules)\S*tools\/data\//)
    })

    it("train marks its required options, and only those", async () => {
        const r = await runCli(["train", "--help"])
        expect(optionText(r.stdout, "--target")).toContain("(required)")
        expect(optionText(r.stdout, "--out")).toContain("(required)")
        expect(optionText(r.stdout, "--epochs")).not.toContain("(required)")
    })
})

describe("board commands fail fast", () => {
    it("bundle without a cached firmware refuses before building: one line, zero builds started", async () => {
        const cwd = mkdtempSync(join(tmpdir(), "dsrnn-nofw-"))
        const home = process.cwd()
        const errors: string[] = []
        const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")))
        // the firmware cache is ./.devicescript/cache: an empty project has none
        process.chdir(cwd)
        const code = await main(["node", "dsrnn", "bundle", MODEL, "--board", "pico_w"]).finally(() => (process.chdir(home), error.mockRestore()))
        expect(code).toBe(1)
        expect(errors).toHaveLength(1)
        expect(errors[0]).toContain("no DeviceScript firmware for pico_w")
        expect(vi.mocked(buildFittingApp)).toHaveBeenCalledTimes(0)
    }, 60_000)

    it("deploy without --simulator says what to do on a real board, in one line", async () => {
        const r = await runCli(["deploy", MODEL, "--input", join(REPO_ROOT, "tools", "data", "weather.csv")])
        expect(r.code).toBe(1)
        const lines = r.stderr.trim().split("\n")
        expect(lines).toHaveLength(1)
        expect(lines[0]).toContain("add --simulator")
        expect(lines[0]).toContain(`dsrnn flash ${MODEL} --board <id>`)
        expect(lines[0]).toContain("pico")
    })
})
