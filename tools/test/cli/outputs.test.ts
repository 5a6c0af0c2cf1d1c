/**
 * No command writes over its own input. For every command with an output
 * (compile, simulate, train, report, bundle, bench), an output that is an
 * input by its own name, through a symlink or as a hard link, or that has an
 * extension the command does not write, is refused with one "dsrnn:" line
 * and exit 1 before any work; every input stays byte-identical and nothing
 * new appears in the folder. A command that fails leaves an existing output
 * as it was. The refusals come before import, training, builds and the
 * simulator, so each spawn costs only tsx's start-up.
 */
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type ExpectStatic, describe, it } from "vitest"
import { type CliResult, REPO_ROOT, runCli } from "../helpers/cli.ts"

const DATA = join(REPO_ROOT, "tools", "data")
const OLD = "an output from an earlier run\n"

/** A folder with the inputs every command below reads. */
function workDir() {
    const dir = mkdtempSync(join(tmpdir(), "dsrnn-outputs-"))
    const files = { model: join(dir, "model.json"), csv: join(dir, "data.csv"), firmware: join(dir, "fw.uf2") }
    copyFileSync(join(DATA, "weather-lstm.json"), files.model)
    copyFileSync(join(DATA, "weather.csv"), files.csv)
    writeFileSync(files.firmware, Buffer.alloc(4096, 0xa5))
    return { dir, files }
}
type Files = ReturnType<typeof workDir>["files"]

/** Every file in the folder with its bytes, links followed: what must not change. */
function snapshot(dir: string): Record<string, string> {
    return Object.fromEntries(readdirSync(dir, { recursive: true, encoding: "utf8" }).sort().map(f => {
        let bytes: string
        try {
            bytes = readFileSync(join(dir, f)).toString("base64")
        } catch {
            bytes = "(folder)"
        }
        return [f, bytes]
    }))
}

const describeRun = (r: CliResult) => `exit ${r.status}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`

/** Exit 1, one "dsrnn:" line holding every keyword, nothing on stdout. */
function expectRefusal(expect: ExpectStatic, r: CliResult, keywords: string[]): void {
    const info = describeRun(r)
    expect(r.status, info).toBe(1)
    const lines = r.stderr.split("\n").filter(l => l.trim() && !l.startsWith("npm warn"))
    expect(lines, info).toHaveLength(1)
    expect(lines[0], info).toMatch(/^dsrnn: /)
    for (const k of keywords) expect(lines[0], info).toContain(k)
    expect(r.stdout.trim(), info).toBe("")
}

interface Command {
    name: string
    /** The command line writing `out`. */
    args: (f: Files, out: string) => string[]
    /** Its inputs an output could land on. */
    inputs: (keyof Files)[]
    /** An output name with an extension it does not write, and the extension its message asks for. */
    badOut: string
    expected: string
    /** A good output name, and the same command line broken so that it fails after the check. */
    goodOut: string
    failing: (f: Files, out: string) => string[]
}

const COMMANDS: Command[] = [
    {
        name: "compile",
        args: (f, out) => ["compile", f.model, "--out", out],
        inputs: ["model"],
        badOut: "model.g.js",
        expected: ".ts",
        goodOut: "model.g.ts",
        // a model that is not JSON
        failing: (f, out) => ["compile", f.csv.replace(/csv$/, "json"), "--out", out],
    },
    {
        name: "simulate",
        args: (f, out) => ["simulate", f.model, "--reference", "-i", f.csv, "-o", out],
        inputs: ["model", "csv"],
        badOut: "pred.json",
        expected: ".csv",
        goodOut: "pred.csv",
        // the model reads 3 columns; the firmware is no CSV of them
        failing: (f, out) => ["simulate", f.model, "--reference", "-i", f.firmware, "-o", out],
    },
    {
        name: "train",
        args: (f, out) => ["train", f.csv, "--target", "temperature", "--epochs", "1", "--no-device", "--out", out],
        inputs: ["csv"],
        badOut: "model.ts",
        expected: ".json",
        goodOut: "trained.json",
        failing: (f, out) => ["train", f.csv, "--target", "no_such_column", "--epochs", "1", "--no-device", "--out", out],
    },
    {
        name: "report",
        args: (f, out) => ["report", f.model, "--data", f.csv, "--target", "temperature", "--no-device", "--out", out],
        inputs: ["model", "csv"],
        badOut: "report.csv",
        expected: ".html",
        goodOut: "report.html",
        failing: (f, out) => ["report", f.model, "--data", f.csv, "--target", "no_such_column", "--no-device", "--out", out],
    },
    {
        name: "bundle",
        args: (f, out) => ["bundle", f.model, "--board", "pico", "--firmware", f.firmware, "--out", out],
        inputs: ["model", "firmware"],
        badOut: "image.bin",
        expected: ".uf2",
        goodOut: "image.uf2",
        failing: (f, out) => ["bundle", f.model, "--board", "pico", "--sensors", "no_such_sensor", "--firmware", f.firmware, "--out", out],
    },
]

describe.for(COMMANDS)("$name: never over an input", c => {
    it.concurrent.for(c.inputs)("refuses --out that is the input %s itself", async (input, { expect }) => {
        const { dir, files } = workDir()
        const before = snapshot(dir)
        const r = await runCli(c.args(files, files[input]), dir)
        expectRefusal(expect, r, [`${files[input]} is the input ${files[input]}`])
        expect(snapshot(dir)).toEqual(before)
    })

    it.concurrent.for(["symlink", "hard link"] as const)(`refuses --out that is a %s to the input ${c.inputs.at(-1)}`, async (kind, { expect }) => {
        const { dir, files } = workDir()
        const input = files[c.inputs.at(-1)!]
        // the name fits the command, so only the link gives it away
        const alias = join(dir, `alias-${c.goodOut}`)
        if (kind === "symlink") symlinkSync(input, alias)
        else linkSync(input, alias)
        const before = snapshot(dir)
        const r = await runCli(c.args(files, alias), dir)
        expectRefusal(expect, r, [`${alias} is the input ${input} (the same file through a link)`])
        expect(snapshot(dir)).toEqual(before)
    })

    it.concurrent(`refuses an output without the ${c.expected} extension`, async ({ expect }) => {
        const { dir, files } = workDir()
        const before = snapshot(dir)
        const r = await runCli(c.args(files, c.badOut), dir)
        expectRefusal(expect, r, [`--${c.name === "simulate" ? "output" : "out"} ${c.badOut}: ${c.name} writes `, `give a ${c.expected}`])
        expect(snapshot(dir)).toEqual(before)
    })

    it.concurrent("leaves an existing output as it was when the command fails", async ({ expect }) => {
        const { dir, files } = workDir()
        writeFileSync(join(dir, c.goodOut), OLD)
        const before = snapshot(dir)
        const r = await runCli(c.failing(files, c.goodOut), dir)
        expect(r.status, describeRun(r)).toBe(1)
        expect(r.stderr, describeRun(r)).toMatch(/^dsrnn: /m)
        expect(snapshot(dir)).toEqual(before)
    })
})

describe.concurrent("bench --board: never over an input", () => {
    const benchArgs = (f: Files, out: string) => ["bench", f.model, "--board", "pico", "--out", out]

    it.for(["main.ts", "model.ts"])("refuses a folder whose %s is a link to the model", async (name, { expect }) => {
        const { dir, files } = workDir()
        const out = join(dir, "bench")
        mkdirSync(out)
        if (name === "main.ts") symlinkSync(files.model, join(out, name))
        else linkSync(files.model, join(out, name))
        const before = snapshot(dir)
        const r = await runCli(benchArgs(files, out), dir)
        expectRefusal(expect, r, [`${join(out, name)} is the input ${files.model}`])
        expect(snapshot(dir)).toEqual(before)
    })

    it("refuses --out that is a file, and --out without --board", async ({ expect }) => {
        const { dir, files } = workDir()
        const before = snapshot(dir)
        const [file, noBoard] = await Promise.all([runCli(benchArgs(files, files.csv), dir), runCli(["bench", files.model, "--out", join(dir, "b")], dir)])
        expectRefusal(expect, file, ["ENOTDIR", files.csv])
        expectRefusal(expect, noBoard, ["--out", "needs --board"])
        expect(snapshot(dir)).toEqual(before)
    })

    it("leaves an existing program as it was when the command fails", async ({ expect }) => {
        const { dir, files } = workDir()
        mkdirSync(join(dir, "bench"))
        writeFileSync(join(dir, "bench", "main.ts"), OLD)
        const before = snapshot(dir)
        const r = await runCli(["bench", files.csv.replace(/csv$/, "json"), "--board", "pico", "--out", join(dir, "bench")], dir)
        expect(r.status, describeRun(r)).toBe(1)
        expect(snapshot(dir)).toEqual(before)
    })
})

it("refuses an image over a TF.js model's weight shard", async ({ expect }) => {
    const { dir } = workDir()
    // only the manifest matters: the check comes before the model is read
    writeFileSync(join(dir, "tfjs.json"), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["w.bin"], weights: [] }] }))
    writeFileSync(join(dir, "w.bin"), Buffer.alloc(64, 1))
    const before = snapshot(dir)
    const r = await runCli(["bundle", "tfjs.json", "--board", "esp32c3_bare", "--out", "w.bin"], dir)
    expectRefusal(expect, r, [`--out w.bin is the input ${join(dir, "w.bin")}`])
    expect(snapshot(dir)).toEqual(before)
})

it("replaces an existing output whole, and leaves no temporary file", async ({ expect }) => {
    const { dir, files } = workDir()
    writeFileSync(join(dir, "pred.csv"), OLD)
    const r = await runCli(["simulate", files.model, "--reference", "-i", files.csv, "-o", "pred.csv"], dir)
    expect(r.status, describeRun(r)).toBe(0)
    const rows = readFileSync(join(dir, "pred.csv"), "utf8").trim().split("\n")
    // a header, then one forecast per row of the 96-row CSV
    expect(rows[0]).toBe("y0")
    expect(rows).toHaveLength(97)
    expect(readdirSync(dir).sort()).toEqual(["data.csv", "fw.uf2", "model.json", "pred.csv"])
})
