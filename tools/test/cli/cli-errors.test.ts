/**
 * The CLI's promise for bad input: a non-zero exit code (2 for a layer, op,
 * activation or file format dsrnn does not support, 1 otherwise), one line on
 * stderr that says what is wrong and where, no stack trace, and no output
 * file. Each case runs the real `dsrnn` as a subprocess, so the check covers
 * the bin script, commander and the error printing in main().
 *
 * Model errors go through `compile`, CSV errors through `simulate`; both fail
 * before any simulator starts, so a spawn costs only tsx's start-up. The
 * spawns run concurrently.
 */
import * as tf from "@tensorflow/tfjs"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type ExpectStatic, afterAll, beforeAll, describe, it } from "vitest"
import { type CliResult, runCli } from "../helpers/cli.ts"
import { type IGraph, buildTorchLikeModel } from "../helpers/onnx-graphs.ts"
import {
    saveTfjsModel,
    sequential,
    setRandomWeights,
    useCpuBackend,
} from "../helpers/tfjs-models.ts"

/** stderr without blank lines and npm's own warnings. */
function stderrLines(r: CliResult): string[] {
    return r.stderr
        .split(/\r?\n/)
        .filter(l => l.trim() !== "" && !l.startsWith("npm warn"))
}

function describeRun(r: CliResult): string {
    return `exit ${r.status}${r.signal ? ` (${r.signal})` : ""}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`
}

function expectNoStack(expect: ExpectStatic, r: CliResult): void {
    for (const text of [r.stdout, r.stderr])
        expect(text, describeRun(r)).not.toMatch(/^\s+at \S/m)
}

/** The longest error message the CLI may print (without its "dsrnn: " prefix). */
const MESSAGE_LIMIT = 300

interface Expected {
    code: 1 | 2
    /** Substrings the message must contain: the file, layer, column, line... */
    keywords: string[]
    /** Files that must not exist afterwards. */
    notWritten: string[]
}

/** A dsrnn error: one "dsrnn: ..." line, nothing on stdout, no output file. */
function expectUserError(
    expect: ExpectStatic,
    r: CliResult,
    { code, keywords, notWritten }: Expected
): string {
    const info = describeRun(r)
    expectNoStack(expect, r)
    expect(r.signal, info).toBeNull()
    expect(r.status, info).toBe(code)
    const lines = stderrLines(r)
    expect(lines, info).toHaveLength(1)
    expect(lines[0], info).toMatch(/^dsrnn: \S/)
    expect(lines[0].length - "dsrnn: ".length, info).toBeLessThanOrEqual(MESSAGE_LIMIT)
    for (const k of keywords) expect(lines[0], info).toContain(k)
    expect(r.stdout.trim(), info).toBe("")
    for (const f of notWritten) expect(existsSync(f), `${f} exists`).toBe(false)
    return lines[0]
}

/** A usage error reported by commander: "error: ...", maybe the --help hint. */
function expectUsageError(
    expect: ExpectStatic,
    r: CliResult,
    { keywords, notWritten }: Omit<Expected, "code">
): void {
    const info = describeRun(r)
    expectNoStack(expect, r)
    expect(r.signal, info).toBeNull()
    expect(r.status, info).toBe(1)
    const lines = stderrLines(r)
    expect(lines[0], info).toMatch(/^error: \S/)
    expect(lines.slice(1), info).toEqual(
        lines.length > 1 ? ["(add --help for usage)"] : []
    )
    for (const k of keywords) expect(lines[0], info).toContain(k)
    expect(r.stdout.trim(), info).toBe("")
    for (const f of notWritten) expect(existsSync(f), `${f} exists`).toBe(false)
}

/** A tiny valid canonical model: 2 inputs, rnn(2) > dense(1). */
function canonicalModel(): Record<string, unknown> {
    return {
        format: "dsrnn-model",
        version: 1,
        name: "tiny",
        inputSize: 2,
        outputSize: 1,
        layers: [
            {
                type: "rnn",
                inputSize: 2,
                units: 2,
                activation: "tanh",
                Wx: [
                    [0.5, -0.25],
                    [0.125, 0.75],
                ],
                Wh: [
                    [0.5, -0.5],
                    [0.25, 0.5],
                ],
                bx: [0.1, -0.1],
                bh: [0, 0.05],
            },
            {
                type: "dense",
                inputSize: 2,
                units: 1,
                activation: "linear",
                W: [[1, -1]],
                b: [0.5],
            },
        ],
    }
}

type CanonicalJson = ReturnType<typeof canonicalModel> & {
    layers: Record<string, unknown>[]
}

let root: string
let dirCount = 0
/** A fresh directory per case, so concurrent cases never share files. */
async function freshDir(): Promise<string> {
    const dir = join(root, `c${dirCount++}`)
    await mkdir(dir)
    return dir
}

/** The good canonical model and a matching two-column CSV. */
let goodModel: string
let goodCsv: string
/** The good model with inputNames matching goodCsv's header: simulate prints no positional note. */
let namedModel: string
/** model.json and weights.bin of a good SimpleRNN > Dense tfjs model. */
let tfjsJson: string
let tfjsWeights: Buffer
let goodOnnx: Uint8Array

beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "dsrnn-cli-"))
    goodModel = join(root, "good.json")
    await writeFile(goodModel, JSON.stringify(canonicalModel()))
    namedModel = join(root, "named.json")
    await writeFile(namedModel, JSON.stringify({ ...canonicalModel(), inputNames: ["temperature", "humidity"] }))
    goodCsv = join(root, "good.csv")
    await writeFile(goodCsv, "temperature,humidity\n0.5,1\n-1,2.5\n")

    await useCpuBackend()
    const model = sequential(
        tf.layers.simpleRNN({ units: 2, inputShape: [null, 2] }),
        tf.layers.dense({ units: 1 })
    )
    setRandomWeights(model, 7)
    const saved = await saveTfjsModel(model, join(root, "tfjs"))
    tfjsJson = await readFile(saved, "utf8")
    tfjsWeights = await readFile(join(root, "tfjs", "weights.bin"))

    goodOnnx = buildTorchLikeModel({
        cell: "gru",
        inputSize: 2,
        hidden: 3,
        outputSize: 1,
        seed: 5,
    }).bytes
})

afterAll(async () => {
    await rm(root, { recursive: true, force: true })
})

/** Writes a tfjs model (model.json text, weights.bin bytes or none) to a fresh dir. */
async function writeTfjs(
    json: string,
    weights: Uint8Array | null
): Promise<{ dir: string; model: string }> {
    const dir = await freshDir()
    const model = join(dir, "model.json")
    await writeFile(model, json)
    if (weights) await writeFile(join(dir, "weights.bin"), weights)
    return { dir, model }
}

/** `dsrnn compile <model> -o <dir>/m.ts`, expecting a one-line error. */
async function compileFails(
    expect: ExpectStatic,
    dir: string,
    model: string,
    code: 1 | 2,
    keywords: string[]
): Promise<string> {
    const out = join(dir, "m.ts")
    const r = await runCli(["compile", model, "-o", out])
    return expectUserError(expect, r, {
        code,
        keywords: [model, ...keywords],
        notWritten: [out],
    })
}

/** A canonical model file, changed by `edit` (or given as raw text). */
async function canonicalFile(
    edit: ((m: CanonicalJson) => void) | string
): Promise<{ dir: string; model: string }> {
    const dir = await freshDir()
    const model = join(dir, "model.json")
    let text: string
    if (typeof edit === "string") text = edit
    else {
        const m = canonicalModel() as CanonicalJson
        edit(m)
        text = JSON.stringify(m)
    }
    await writeFile(model, text)
    return { dir, model }
}

describe.concurrent("dsrnn on good input (controls)", () => {
    it("compiles a canonical model", async ({ expect }) => {
        const out = join(await freshDir(), "m.ts")
        const r = await runCli(["compile", goodModel, "-o", out])
        expectNoStack(expect, r)
        expect(r.status, describeRun(r)).toBe(0)
        expect(r.stdout).toContain(`wrote ${out}`)
        expect(r.stdout).toContain("rnn(2) > dense(1)")
        expect(await readFile(out, "utf8")).toContain("Generated by dsrnn")
    })

    it("compiles the tfjs and ONNX models the broken files are made from", async ({
        expect,
    }) => {
        const { dir, model } = await writeTfjs(tfjsJson, tfjsWeights)
        await writeFile(join(dir, "model.onnx"), goodOnnx)
        const [a, b] = await Promise.all([
            runCli(["compile", model, "-o", join(dir, "a.ts")]),
            runCli([
                "compile",
                join(dir, "model.onnx"),
                "-o",
                join(dir, "b.ts"),
            ]),
        ])
        for (const r of [a, b]) {
            expectNoStack(expect, r)
            expect(r.status, describeRun(r)).toBe(0)
        }
        expect(a.stdout).toContain("rnn(2) > dense(1)")
        expect(b.stdout).toContain("gru(3) > dense(1)")
        expect(existsSync(join(dir, "a.ts"))).toBe(true)
        expect(existsSync(join(dir, "b.ts"))).toBe(true)
    })

    it("reads a good CSV (float64 reference, no simulator)", async ({
        expect,
    }) => {
        const out = join(await freshDir(), "out.csv")
        const r = await runCli([
            "simulate",
            goodModel,
            "-i",
            goodCsv,
            "-o",
            out,
            "--reference",
        ])
        expectNoStack(expect, r)
        expect(r.status, describeRun(r)).toBe(0)
        const lines = (await readFile(out, "utf8")).trim().split("\n")
        expect(lines[0]).toBe("y0")
        expect(lines).toHaveLength(3)
    })
})

describe.concurrent("dsrnn compile rejects bad TF.js models", () => {
    it("a truncated model.json", async ({ expect }) => {
        const { dir, model } = await writeTfjs(
            tfjsJson.slice(0, tfjsJson.length >> 1),
            tfjsWeights
        )
        await compileFails(expect, dir, model, 1, ["not valid JSON"])
    })

    it("corrupt JSON", async ({ expect }) => {
        const { dir, model } = await writeTfjs(
            tfjsJson.replace(/:/g, "="),
            tfjsWeights
        )
        await compileFails(expect, dir, model, 1, ["not valid JSON"])
    })

    it("a model.json without modelTopology", async ({ expect }) => {
        const json = JSON.parse(tfjsJson)
        delete json.modelTopology
        const { dir, model } = await writeTfjs(
            JSON.stringify(json),
            tfjsWeights
        )
        await compileFails(expect, dir, model, 1, ["modelTopology"])
    })

    it("a missing weight shard", async ({ expect }) => {
        const { dir, model } = await writeTfjs(tfjsJson, null)
        await compileFails(expect, dir, model, 1, ["weights.bin", "ENOENT"])
    })

    it("a weight shard of the wrong size", async ({ expect }) => {
        const short = tfjsWeights.subarray(0, tfjsWeights.length - 4)
        const { dir, model } = await writeTfjs(tfjsJson, short)
        await compileFails(expect, dir, model, 1, [
            "weights.bin",
            `${short.length} bytes`,
            `${tfjsWeights.length}`,
        ])
    })

    it("a NaN weight", async ({ expect }) => {
        const weights = Buffer.from(tfjsWeights)
        // The first tensor is the SimpleRNN kernel; make its value 2 a NaN.
        weights.writeFloatLE(NaN, 8)
        const { dir, model } = await writeTfjs(tfjsJson, weights)
        const line = await compileFails(expect, dir, model, 1, [
            "NaN",
            "kernel",
        ])
        expect(line).toContain("index 2")
    })

    it("an unsupported layer (Conv1D), exit 2", async ({ expect }) => {
        const conv = sequential(
            tf.layers.conv1d({
                filters: 2,
                kernelSize: 1,
                inputShape: [null, 2],
            }),
            tf.layers.simpleRNN({ units: 2 })
        )
        const dir = await freshDir()
        const model = await saveTfjsModel(conv, dir)
        await compileFails(expect, dir, model, 2, ["Conv1D", "not supported"])
    })

    it("an unsupported layer (Flatten), exit 2", async ({ expect }) => {
        const flat = sequential(
            tf.layers.simpleRNN({
                units: 2,
                inputShape: [4, 2],
                returnSequences: true,
            }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 1 })
        )
        const dir = await freshDir()
        const model = await saveTfjsModel(flat, dir)
        await compileFails(expect, dir, model, 2, ["Flatten", "not supported"])
    })
})

/** The good GRU ONNX model with its Gemm head node changed by `edit`. */
function withEditedHead(edit: (gemm: NonNullable<IGraph["node"]>[number]) => void): Uint8Array {
    return buildTorchLikeModel({ cell: "gru", inputSize: 2, hidden: 3, outputSize: 1, seed: 5, edit: g => edit(g.node!.find(n => n.opType === "Gemm")!) }).bytes
}

async function onnxFile(bytes: Uint8Array) {
    const dir = await freshDir()
    const model = join(dir, "model.onnx")
    await writeFile(model, bytes)
    return { dir, model }
}

describe.concurrent("dsrnn compile rejects bad ONNX files", () => {

    it("a truncated .onnx", async ({ expect }) => {
        const { dir, model } = await onnxFile(
            goodOnnx.slice(0, goodOnnx.length >> 1)
        )
        await compileFails(expect, dir, model, 1, ["not a valid ONNX model"])
    })

    it("garbage bytes", async ({ expect }) => {
        const { dir, model } = await onnxFile(
            new TextEncoder().encode("this is not an ONNX file\n")
        )
        await compileFails(expect, dir, model, 1, ["not a valid ONNX model"])
    })

    it("an unsupported op (Conv), exit 2", async ({ expect }) => {
        const bytes = withEditedHead(gemm => Object.assign(gemm, { opType: "Conv", name: "conv1" }))
        const { dir, model } = await onnxFile(bytes)
        await compileFails(expect, dir, model, 2, ["'Conv'", "conv1"])
    })
})

describe.concurrent("dsrnn compile rejects bad model paths", () => {
    it("an unknown extension (.h5), exit 2, naming the formats", async ({
        expect,
    }) => {
        const dir = await freshDir()
        const model = join(dir, "model.h5")
        await writeFile(model, "\x89HDF\r\n\x1a\n")
        await compileFails(expect, dir, model, 2, [
            "unknown model format",
            "model.json",
            ".onnx",
        ])
    })

    it("a nonexistent .json model", async ({ expect }) => {
        const dir = await freshDir()
        await compileFails(expect, dir, join(dir, "nope.json"), 1, ["ENOENT"])
    })

    it("a nonexistent .onnx model", async ({ expect }) => {
        const dir = await freshDir()
        await compileFails(expect, dir, join(dir, "nope.onnx"), 1, ["ENOENT"])
    })
})

describe.concurrent("dsrnn compile rejects bad canonical models", () => {
    it("a weight matrix of the wrong shape", async ({ expect }) => {
        const { dir, model } = await canonicalFile(m => {
            m.layers[0].Wh = [
                [1, 2, 3],
                [4, 5, 6],
            ]
        })
        await compileFails(expect, dir, model, 1, [
            "layers[0] (rnn).Wh",
            "3 values, expected 2",
        ])
    })

    it("an unsupported activation (elu), exit 2", async ({ expect }) => {
        const { dir, model } = await canonicalFile(m => {
            m.layers[0].activation = "elu"
        })
        await compileFails(expect, dir, model, 2, [
            "layers[0]",
            '"elu"',
            "not supported",
        ])
    })

    it("version 99", async ({ expect }) => {
        const { dir, model } = await canonicalFile(m => {
            m.version = 99
        })
        await compileFails(expect, dir, model, 1, ["version 99"])
    })

    it("a null weight (what JSON.stringify makes of NaN)", async ({
        expect,
    }) => {
        const { dir, model } = await canonicalFile(m => {
            m.layers[1].b = [NaN]
        })
        expect(await readFile(model, "utf8")).toContain('"b":[null]')
        await compileFails(expect, dir, model, 1, [
            "layers[1] (dense).b",
            "null",
            "not a finite float32 number",
        ])
    })

    it("a weight of 1e999, which JSON.parse reads as Infinity", async ({
        expect,
    }) => {
        const text = JSON.stringify(canonicalModel()).replace(
            "[0.5,-0.25]",
            "[0.5,1e999]"
        )
        expect(text).toContain("1e999")
        const { dir, model } = await canonicalFile(text)
        await compileFails(expect, dir, model, 1, [
            "layers[0] (rnn).Wx row 0",
            "value 1 is Infinity",
        ])
    })
})

/** Runs simulate on the good model with `csv` (text, or a path when null). */
async function simulateFails(
    expect: ExpectStatic,
    csv: string | null,
    keywords: string[]
): Promise<string> {
    const dir = await freshDir()
    const input = join(dir, "in.csv")
    if (csv !== null) await writeFile(input, csv)
    const out = join(dir, "out.csv")
    const r = await runCli(["simulate", goodModel, "-i", input, "-o", out])
    return expectUserError(expect, r, {
        code: 1,
        keywords: [input, ...keywords],
        notWritten: [out],
    })
}

describe.concurrent("dsrnn simulate rejects bad CSV input", () => {
    it("a header with the wrong column count", async ({ expect }) => {
        await simulateFails(expect, "a,b,c\n1,2,3\n", [
            "3 columns",
            "2 readings",
        ])
    })

    it("a data row with a missing cell", async ({ expect }) => {
        await simulateFails(expect, "a,b\n1,2\n3\n4,5\n", [
            "line 3",
            "1 columns",
        ])
    })

    it("an empty file", async ({ expect }) => {
        await simulateFails(expect, "", ["no data rows"])
    })

    it("a header and no rows", async ({ expect }) => {
        await simulateFails(expect, "a,b\n", ["no data rows"])
    })

    it("non-numeric cells: abc, empty, quoted 1,5", async ({ expect }) => {
        const cases: [string, string][] = [
            ["a,b\n1,2\n3,abc\n", '"abc"'],
            ["a,b\n1,2\n,4\n", '""'],
            ['a,b\n1,"1,5"\n', '"1,5"'],
        ]
        const lines = await Promise.all(
            cases.map(([csv, cell]) =>
                simulateFails(expect, csv, [cell, "not a finite number"])
            )
        )
        expect(lines[0]).toContain('line 3, column 2 ("b")')
        expect(lines[1]).toContain('line 3, column 1 ("a")')
        expect(lines[2]).toContain('line 2, column 2 ("b")')
    })

    it("a nonexistent CSV", async ({ expect }) => {
        await simulateFails(expect, null, ["ENOENT"])
    })
})

describe.concurrent("dsrnn rejects bad command lines", () => {
    it("--weights i4", async ({ expect }) => {
        const out = join(await freshDir(), "m.ts")
        const r = await runCli(["compile", goodModel, "-w", "i4", "-o", out])
        expectUsageError(expect, r, {
            keywords: ["i4", "f32, i16, i8"],
            notWritten: [out],
        })
    })

    it("compile without --out", async ({ expect }) => {
        const r = await runCli(["compile", goodModel])
        expectUsageError(expect, r, { keywords: ["--out"], notWritten: [] })
    })

    it("simulate without --input", async ({ expect }) => {
        const out = join(await freshDir(), "out.csv")
        const r = await runCli(["simulate", goodModel, "-o", out])
        expectUsageError(expect, r, {
            keywords: ["--input"],
            notWritten: [out],
        })
    })

    it("simulate without --output", async ({ expect }) => {
        const r = await runCli(["simulate", goodModel, "-i", goodCsv])
        expectUsageError(expect, r, { keywords: ["--output"], notWritten: [] })
    })

    it("an unknown command", async ({ expect }) => {
        const r = await runCli(["frobnicate", goodModel])
        expectUsageError(expect, r, {
            keywords: ["unknown command", "frobnicate"],
            notWritten: [],
        })
    })
})

/**
 * Bad input that today escapes main() as a plain Error, so Node prints a stack
 * trace (reported, not fixed here). These cases pin the current, wrong
 * behaviour: the stack and the error's text. When one starts failing because
 * the CLI now prints one "dsrnn:" line, move it up among the cases above and
 * check it with expectUserError.
 */
describe.concurrent("errors past import: one line, nothing written", () => {
    it("compile -o into a directory that does not exist", async ({
        expect,
    }) => {
        const out = join(await freshDir(), "missing", "m.ts")
        const r = await runCli(["compile", goodModel, "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ["cannot write", out, "ENOENT"], notWritten: [out] })
    })

    it("simulate --reference -o into a directory that does not exist", async ({
        expect,
    }) => {
        const out = join(await freshDir(), "missing", "out.csv")
        const r = await runCli([
            "simulate",
            namedModel,
            "-i",
            goodCsv,
            "-o",
            out,
            "--reference",
        ])
        expectUserError(expect, r, { code: 1, keywords: ["cannot write", out, "ENOENT"], notWritten: [out] })
    })

    it("a canonical model with a null layer", async ({ expect }) => {
        const { dir, model } = await canonicalFile(m => {
            m.layers = [null as unknown as Record<string, unknown>]
        })
        const out = join(dir, "m.ts")
        const r = await runCli(["compile", model, "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ["layers[0]", "not a layer object"], notWritten: [out] })
    })

    it("a weight finite in float64 but not in float32 (1e39)", async ({
        expect,
    }) => {
        const { dir, model } = await canonicalFile(m => {
            m.layers[1].W = [[1e39, -1]]
        })
        const out = join(dir, "m.ts")
        const r = await runCli(["compile", model, "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ["1e+39", "not a finite float32"], notWritten: [out] })
    })

    it("a bias finite in float64 but not in float32 (1e39)", async ({
        expect,
    }) => {
        const { dir, model } = await canonicalFile(m => {
            m.layers[1].b = [1e39]
        })
        const out = join(dir, "m.ts")
        const r = await runCli(["compile", model, "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ["1e+39", "not a finite float32"], notWritten: [out] })
    })

    it("a matrix row too large for one hex literal (f32)", async ({ expect }) => {
        // A matrix goes in parts of whole rows; one row of 15,361 float32 = 61,444 bytes > the 61,440-byte literal limit.
        const n = 15_361
        const { dir, model } = await canonicalFile(m => {
            const rnn = m.layers[0]
            m.inputSize = n
            rnn.inputSize = n
            rnn.Wx = [new Array(n).fill(0.5), new Array(n).fill(0.5)] // units: 2
        })
        const out = join(dir, "m.ts")
        const r = await runCli(["compile", model, "-w", "f32", "-s", "off", "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ["L0_WX", "61440-byte limit"], notWritten: [out] })
    })
})

describe.concurrent("dsrnn train and evaluate refuse bad data in one line", () => {
    /** A readings CSV with a timestamp column and `n` rows. */
    async function readings(n: number): Promise<{ dir: string; csv: string }> {
        const dir = await freshDir()
        const csv = join(dir, "r.csv")
        const rows = Array.from({ length: n }, (_, t) => `2024-01-01T${String(t % 24).padStart(2, "0")}:00:00,${(15 + Math.sin(t / 4)).toFixed(3)},${1010 + (t % 7)}`)
        await writeFile(csv, ["time,temperature,pressure", ...rows].join("\n") + "\n")
        return { dir, csv }
    }

    it("a --target that is not a column", async ({ expect }) => {
        const { dir, csv } = await readings(50)
        const out = join(dir, "m.json")
        const r = await runCli(["train", csv, "--target", "temp", "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ['no column "temp"', '"time", "temperature", "pressure"'], notWritten: [out] })
    })

    it("a timestamp column named in --inputs", async ({ expect }) => {
        const { dir, csv } = await readings(50)
        const out = join(dir, "m.json")
        const r = await runCli(["train", csv, "--target", "temperature", "--inputs", "time,temperature", "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ['column "time"', "timestamps"], notWritten: [out] })
    })

    it("too few rows for the split and the window", async ({ expect }) => {
        const { dir, csv } = await readings(12)
        const out = join(dir, "m.json")
        const r = await runCli(["train", csv, "--target", "temperature", "-o", out])
        const line = expectUserError(expect, r, { code: 1, keywords: ["only 12 usable rows", "needs at least"], notWritten: [out] })
        expect(line).toMatch(/needs at least \d+/)
    })

    it("an --arch that is not a layer list", async ({ expect }) => {
        const { dir, csv } = await readings(200)
        const out = join(dir, "m.json")
        const r = await runCli(["train", csv, "--target", "temperature", "--arch", "lstm:0", "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ['"lstm:0"', "lstm:N, gru:N or rnn:N"], notWritten: [out] })
    })

    it("--residual on without the target among the inputs", async ({ expect }) => {
        const { dir, csv } = await readings(200)
        const out = join(dir, "m.json")
        const r = await runCli(["train", csv, "--target", "temperature", "--inputs", "pressure", "--residual", "on", "-o", out])
        expectUserError(expect, r, { code: 1, keywords: ["--residual on", "temperature must be one of --inputs"], notWritten: [out] })
    })

    it("evaluate a model without inputNames and no --inputs", async ({ expect }) => {
        const { csv } = await readings(50)
        const r = await runCli(["evaluate", goodModel, "--data", csv, "--no-device"])
        expectUserError(expect, r, { code: 1, keywords: ["no inputNames", "--inputs"], notWritten: [] })
    })
})

/**
 * What feeding the CLI about 250 malformed files found (issue 12): each of
 * these once gave a stack trace, an exit 0 with a model written, a file read
 * outside the model's folder, or a message of kilobytes.
 */
describe.concurrent("found by feeding the CLI malformed files", () => {
    /** `[[[...1...]]]`, nested `depth` deep, as JSON text. */
    const nested = (depth: number) => "[".repeat(depth) + "1" + "]".repeat(depth)

    it("an array nested 100,000 deep as a TF.js layer's units", async ({ expect }) => {
        const json = tfjsJson.replace(/"units":2/, `"units":${nested(100_000)}`)
        expect(json).not.toBe(tfjsJson)
        const { dir, model } = await writeTfjs(json, tfjsWeights)
        await compileFails(expect, dir, model, 1, ["units is [[[["])
    })

    it("an array nested 100,000 deep as a dsrnn model's units, as a cell of Wx, or in a field dsrnn does not know", async ({ expect }) => {
        const texts = [
            JSON.stringify(canonicalModel()).replace('"units":2', `"units":${nested(100_000)}`),
            JSON.stringify(canonicalModel()).replace("[0.5,-0.25]", `[0.5,${nested(100_000)}]`),
            JSON.stringify({ ...canonicalModel(), comment: "@" }).replace('"@"', nested(100_000)),
        ]
        await Promise.all(
            texts.map(async text => {
                const { dir, model } = await canonicalFile(text)
                await compileFails(expect, dir, model, 1, ["model: nests values more than 8 levels deep"])
            })
        )
    })

    it("a dsrnn model's units and a cell given as 50,000-element arrays", async ({ expect }) => {
        const long = `[${new Array(50_000).fill(7).join(",")}]`
        const units = await canonicalFile(JSON.stringify(canonicalModel()).replace('"units":2', `"units":${long}`))
        const a = await compileFails(expect, units.dir, units.model, 1, ["layers[0] (rnn)", "units is [7,7,"])
        const cell = await canonicalFile(JSON.stringify(canonicalModel()).replace("[0.5,-0.25]", `[0.5,${long}]`))
        const b = await compileFails(expect, cell.dir, cell.model, 1, ["layers[0] (rnn).Wx row 0", "value 1 is [7,7,"])
        for (const line of [a, b]) expect(line.length).toBeLessThan(200)
    })

    it("ONNX op types named after JavaScript object properties, exit 2", async ({ expect }) => {
        const ops = ["__proto__", "hasOwnProperty", "valueOf", "toString", "constructor"]
        await Promise.all(ops.map(async op => {
            // the Gemm head becomes a one-input op passing the GRU's output through
            const bytes = withEditedHead(gemm => Object.assign(gemm, { opType: op, name: "head", input: gemm.input!.slice(0, 1), attribute: [] }))
            const { dir, model } = await onnxFile(bytes)
            await compileFails(expect, dir, model, 2, [`unsupported ONNX op '${op}'`, "head"])
        }))
    })

    it("inputNames that are not strings, in dsrnn build", async ({ expect }) => {
        const cases = [[1, 2], [null, null], "ab", { length: 2 }, ["temperature"], ["temperature", "a\nb"]]
        await Promise.all(cases.map(async names => {
            const { dir, model } = await canonicalFile(m => {
                m.inputNames = names
            })
            const r = await runCli(["build", model, "--board", "pico"], dir)
            expectUserError(expect, r, { code: 1, keywords: [model, "inputNames"], notWritten: [] })
        }))
    })

    it("weight shards outside the model's folder: ../, absolute paths, devices, symbolic links", async ({ expect }) => {
        const outside = await freshDir()
        await writeFile(join(outside, "weights.bin"), tfjsWeights)
        const withPath = (p: string) => tfjsJson.replace('"paths":["weights.bin"]', `"paths":${JSON.stringify([p])}`)
        const cases: [string, string][] = [
            [`../${outside.split("/").pop()}/weights.bin`, "outside the model's folder"],
            [join(outside, "weights.bin"), "absolute path"],
            ["/etc/passwd", "absolute path"],
            ["/dev/null", "absolute path"],
            ["link.bin", "outside the model's folder"],
            [".", "outside the model's folder"],
        ]
        await Promise.all(cases.map(async ([path, why]) => {
            expect(withPath(path)).not.toBe(tfjsJson)
            const { dir, model } = await writeTfjs(withPath(path), null)
            await symlink(join(outside, "weights.bin"), join(dir, "link.bin"))
            const line = await compileFails(expect, dir, model, 1, [why])
            expect(line).not.toMatch(/hold \d+ bytes/)
        }))
    })

    it("a symbolic link inside the model's folder to a shard in it is read", async ({ expect }) => {
        const { dir, model } = await writeTfjs(tfjsJson.replace('"paths":["weights.bin"]', '"paths":["link.bin"]'), tfjsWeights)
        await symlink(join(dir, "weights.bin"), join(dir, "link.bin"))
        const r = await runCli(["compile", model, "-o", join(dir, "m.ts")])
        expect(r.status, describeRun(r)).toBe(0)
    })

    it("echoes at most a few dozen characters of a value: 50,000 units, a 5,000-character cell or name", async ({ expect }) => {
        const units = `[${new Array(50_000).fill(7).join(",")}]`
        const big = await writeTfjs(tfjsJson.replace(/"units":2/, `"units":${units}`), tfjsWeights)
        const a = await compileFails(expect, big.dir, big.model, 1, ["units is [7,7,"])
        const cell = "9".repeat(2500) + "x" + "9".repeat(2500)
        const b = await simulateFails(expect, `a,b\n1,${cell}\n`, ["line 2, column 2", '"9999'])
        const name = "n".repeat(5000)
        const layer = await writeTfjs(tfjsJson.replaceAll("dense_Dense1", name).replace('"activation":"linear"', '"activation":"elu"'), tfjsWeights)
        const c = await compileFails(expect, layer.dir, layer.model, 2, ["nnnn", '"elu"'])
        for (const line of [a, b, c]) expect(line.length).toBeLessThan(250)
    })
})

describe.concurrent("dsrnn train --arch auto refuses flags that do not go together in one line", () => {
    async function readings(): Promise<{ dir: string; csv: string; out: string }> {
        const dir = await freshDir()
        const csv = join(dir, "r.csv")
        const rows = Array.from({ length: 200 }, (_, t) => `${(15 + Math.sin(t / 4)).toFixed(3)},${1010 + (t % 7)}`)
        await writeFile(csv, ["temperature,pressure", ...rows].join("\n") + "\n")
        return { dir, csv, out: join(dir, "m.json") }
    }
    const train = (csv: string, out: string, ...flags: string[]) => runCli(["train", csv, "--target", "temperature", ...flags, "-o", out])

    it("--arch auto without --board", async ({ expect }) => {
        const { csv, out } = await readings()
        expectUserError(expect, await train(csv, out, "--arch", "auto"), { code: 1, keywords: ["--arch auto needs --board", "pico", "esp32_devkit_c"], notWritten: [out] })
    })

    it("--board, --grid or --sample-period with a given --arch", async ({ expect }) => {
        const { csv, out } = await readings()
        expectUserError(expect, await train(csv, out, "--board", "pico"), { code: 1, keywords: ["--board goes with --arch auto, not --arch lstm:16"], notWritten: [out] })
        expectUserError(expect, await train(csv, out, "--arch", "gru:8", "--grid", "lstm:8", "--sample-period", "10"), { code: 1, keywords: ["--grid and --sample-period go with --arch auto"], notWritten: [out] })
    })

    it("an unknown board, a bad grid, a bad period", async ({ expect }) => {
        const { csv, out } = await readings()
        expectUserError(expect, await train(csv, out, "--arch", "auto", "--board", "pico2"), { code: 1, keywords: ['unknown board "pico2"', "pico_w"], notWritten: [out] })
        expectUserError(expect, await train(csv, out, "--arch", "auto", "--board", "pico", "--grid", "lstm:8 lstm"), { code: 1, keywords: ['--grid: "lstm" is not a layer'], notWritten: [out] })
        expectUserError(expect, await train(csv, out, "--arch", "auto", "--board", "pico", "--sample-period", "fast"), { code: 1, keywords: ['--sample-period must be a number of milliseconds, at least 1, got "fast"'], notWritten: [out] })
    })

    it("no candidate fits the board: the first one's reason, before any training", async ({ expect }) => {
        const { csv, out } = await readings()
        const r = await train(csv, out, "--arch", "auto", "--board", "pico", "--grid", "lstm:64 gru:64", "--sample-period", "1")
        expectUserError(expect, r, { code: 1, keywords: ["--arch auto on pico: none of the 2 candidates fits: lstm:64: a step takes", "more than the 1 ms period"], notWritten: [out] })
    })
})
