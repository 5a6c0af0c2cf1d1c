/**
 * The user's path, end to end, as a new user walks it: pack this package,
 * `devs init` a fresh DeviceScript project, `npm install` the tarball there
 * (install scripts on), `npx dsrnn compile` a TF.js model into the project's
 * src/, build a main.ts that uses both `model.step` and `predict()`, run it
 * in the VM, and compare with TensorFlow.js predict(). Needs the npm registry
 * (for the project's own packages), nothing else.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runProgram } from "../../src/run/vm.ts"
import { REPO_ROOT } from "../helpers/cli.ts"
import { predictPrefixes, randomRows, saveTfjsModel, sequential, setRandomWeights, useCpuBackend } from "../helpers/tfjs-models.ts"

const run = promisify(execFile)
const NPM = "npm"
const DEVS_CLI = join(REPO_ROOT, "node_modules", "@devicescript", "cli", "built", "devicescript-cli.cjs")
/** f32 weights: the device matches TF.js to float32 rounding (docs/accuracy.md). */
const F32_BOUND = 1e-4
const ROWS = 40

/** Runs a command in the project; output is returned, a failure throws with it. */
async function sh(cwd: string, cmd: string, args: string[], timeout = 300_000): Promise<string> {
    const env = { ...process.env, NO_COLOR: "1", npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" }
    try {
        const { stdout, stderr } = await run(cmd, args, { cwd, env, timeout, maxBuffer: 64 << 20 })
        return stdout + stderr
    } catch (e) {
        const err = e as { stdout?: string; stderr?: string; message: string }
        throw new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`)
    }
}

const MAIN = (rows: number[][]) => `import * as ds from "@devicescript/core"
import { from } from "@devicescript/observables"
import { predict } from "devicescript-rnn"
import { model, scaling } from "./model.g"

const ROWS: number[][] = ${JSON.stringify(rows)}
const exact = Buffer.alloc(8 * model.outputSize)

// one short line per row: the console cuts lines at ~300 characters
function report(kind: string, t: number, y: number[]) {
    for (let j = 0; j < model.outputSize; j++) exact.setAt(8 * j, "f64", y[j])
    console.log(kind + " " + t + " " + exact.toString("hex"))
}

const y: number[] = []
for (let j = 0; j < model.outputSize; j++) y.push(0)
for (let t = 0; t < ROWS.length; t++) {
    model.step(ROWS[t], y)
    report("STEP", t, y)
    await ds.sleep(0)
}

model.reset()
let t = 0
from(ROWS)
    .pipe(predict(model, scaling))
    .subscribe({
        next: out => report("PREDICT", t++, out),
        complete: () => console.log("DONE"),
    })
`

function parse(lines: string[], kind: string): number[][] {
    return lines
        .filter(l => l.startsWith(kind + " "))
        .map(l => {
            const buf = Buffer.from(l.split(" ")[2], "hex")
            return Array.from({ length: buf.length / 8 }, (_, i) => buf.readDoubleLE(8 * i))
        })
}

function maxDiff(a: number[][], b: number[][]): number {
    let m = 0
    a.forEach((row, t) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[t][j])))))
    return m
}

describe("devicescript-rnn installed into a fresh `devs init` project", () => {
    const work = mkdtempSync(join(tmpdir(), "dsrnn-consumer-"))
    const project = join(work, "my-sensor")
    let tarball = ""
    let expected: number[][] = []
    const rows = randomRows(7, ROWS, 3)

    beforeAll(async () => {
        await useCpuBackend()
        const model = sequential(
            tf.layers.lstm({ units: 8, inputShape: [null, 3], returnSequences: true, recurrentActivation: "sigmoid" }),
            tf.layers.dense({ units: 2 })
        )
        setRandomWeights(model, 11)
        await saveTfjsModel(model, join(work, "trained"))
        expected = predictPrefixes(model, rows)

        // `npm pack` runs `prepare`, which bundles the CLI to JavaScript
        await sh(REPO_ROOT, NPM, ["pack", "--pack-destination", work])
        tarball = join(work, readdirSync(work).find(f => f.endsWith(".tgz"))!)
        await sh(work, process.execPath, [DEVS_CLI, "init", "my-sensor", "--no-install"])
        // what a user's `npm install devicescript-rnn` does, with install scripts on
        await sh(project, NPM, ["install", tarball])
    }, 600_000)

    afterAll(() => rmSync(work, { recursive: true, force: true }))

    it("ships only what a user needs, and none of our test tools", () => {
        const nm = join(project, "node_modules")
        for (const dev of ["vitest", "onnxruntime-node", "onnxruntime-web", "tsx", "esbuild"]) expect(existsSync(join(nm, dev)), dev).toBe(false)
        const pkg = join(nm, "devicescript-rnn")
        expect(readdirSync(pkg).sort()).toEqual(["README.md", "boards", "devsconfig.json", "docs", "package.json", "services", "src", "tools"])
        // device: the programs dsrnn builds in the user's project (the sensor app, simulate, bench, soak)
        expect(readdirSync(join(pkg, "tools")).sort()).toEqual(["bin", "data", "device", "dist"])
        // the example model and CSV the help examples use, and nothing else of tools/data
        expect(readdirSync(join(pkg, "tools", "data")).sort()).toEqual(["weather-lstm.json", "weather.csv"])
        expect(JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).devicescript).toEqual({ library: true })
    })

    it("compiles, builds and runs in the user's project: model.step and predict() equal TF.js predict()", async () => {
        const compiled = await sh(project, "npx", ["dsrnn", "compile", join(work, "trained", "model.json"), "--weights", "f32", "--out", "src/model.g.ts"])
        expect(compiled).not.toMatch(/npm warn/i)
        expect(readFileSync(join(project, "src", "model.g.ts"), "utf8")).toContain('from "devicescript-rnn"')

        writeFileSync(join(project, "src", "main.ts"), MAIN(rows))
        await sh(project, "npx", ["devs", "build", "src/main.ts"])
        const binary = readFileSync(join(project, ".devicescript", "bin", "bytecode.devs"))
        const { lines } = await runProgram(binary, { timeoutMs: 60_000, done: l => l === "DONE" })

        const stepped = parse(lines, "STEP")
        const predicted = parse(lines, "PREDICT")
        expect(stepped.length).toBe(ROWS)
        expect(predicted.length).toBe(ROWS)
        expect(maxDiff(stepped, expected)).toBeLessThan(F32_BOUND)
        expect(maxDiff(predicted, expected)).toBeLessThan(F32_BOUND)
        // the outputs vary, so agreement means something
        expect(Math.max(...expected.map(r => r[0])) - Math.min(...expected.map(r => r[0]))).toBeGreaterThan(0.05)
    })

    it("simulates from the installed package, with no npm warning", async () => {
        writeFileSync(join(project, "in.csv"), ["a,b,c", ...rows.map(r => r.join(","))].join("\n") + "\n")
        const out = await sh(project, "npx", ["dsrnn", "simulate", join(work, "trained", "model.json"), "-w", "f32", "-i", "in.csv", "-o", "out.csv"])
        expect(out).not.toMatch(/npm warn/i)
        const sim = readFileSync(join(project, "out.csv"), "utf8").trim().split("\n").slice(1).map(l => l.split(",").map(Number))
        expect(sim.length).toBe(ROWS)
        expect(maxDiff(sim, expected)).toBeLessThan(F32_BOUND)
    })

    it("every build/bundle/flash/deploy --help example names files the installed package has, and build's runs as printed", async () => {
        const examples: string[] = []
        for (const cmd of ["build", "bundle", "flash", "deploy"]) {
            const help = await sh(project, "npx", ["dsrnn", cmd, "--help"])
            const example = help.split("Example:")[1].trim().split("\n")[0]
            for (const m of example.matchAll(/node_modules\/\S+/g)) expect(existsSync(join(project, m[0])), m[0]).toBe(true)
            examples.push(example)
        }
        // the build example needs no board, firmware or network: run it exactly as printed
        const [npx, ...args] = examples[0].split(" ")
        const out = await sh(project, npx, args)
        expect(out).toMatch(/image: [\d,]+ B of 110,000 B/)
    })

    it("builds the sensor app with the user's devsconfig.json and node_modules", async () => {
        const out = await sh(project, "npx", ["dsrnn", "build", join(work, "trained", "model.json"), "--board", "pico", "--sensors", "temperature,humidity,pressure"])
        expect(out).not.toMatch(/npm warn/i)
        expect(out).toMatch(/image: [\d,]+ B of 110,000 B/)
    })
})
