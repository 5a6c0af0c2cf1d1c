/**
 * Fuzz target: command-line flags. `compile` and `simulate --reference` run
 * through the real main() in-process (neither starts the simulator); the
 * flags of build, bundle, flash and deploy go through buildOptions and
 * prepareApp, which check them all before anything is built. The property: exit 0, or one
 * "dsrnn: ..." line of at most MESSAGE_LIMIT characters, or commander's usage
 * error; never an exception out of main().
 */
import fc from "fast-check"
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { prepareApp } from "../../../src/board/app-build.ts"
import { buildOptions } from "../../../src/cli/app-options.ts"
import { main } from "../../../src/cli/cli.ts"
import { canonicalModel } from "./canonical.ts"
import { someEdits } from "./json-edits.ts"
import { MESSAGE_LIMIT, PropertyBroken, checkRefusal } from "./property.ts"

const word = fc.oneof(
    fc.constantFrom("f32", "i16", "i8", "i4", "auto", "on", "off", "", "-", "--", "-1", "0", "1", "1.5", "0x10", "1e3", "NaN", "Infinity", "constructor", "__proto__", "pico", "esp32c3_bare", "simulator", "temperature", "humidity,pressure", "temp,rh", "-,temperature", "accel_x,accel_y,accel_z", "x".repeat(400)),
    fc.string({ maxLength: 6 })
)
const flag = fc.constantFrom("-w", "--weights", "-s", "--specialize", "-o", "--out", "-i", "--input", "--compare", "--reference", "--json", "--help", "-h", "--nope", "-x", "--weights=i8", "--out=")

/** A working command line, then up to three tokens put in anywhere. */
const commandLine = fc.record({
    command: fc.constantFrom("compile", "compile", "simulate", "simulate", "frobnicate", ""),
    model: fc.constantFrom("good", "good", "good", "missing", "dir", "csv"),
    insert: someEdits(fc.record({ at: fc.nat(), token: fc.oneof(flag, word, fc.constantFrom("@out", "@csv", "@dir", "@missing", "-o@csv", "-o@model")) })),
})

/** Mostly the value a user would give, sometimes any word. */
const usually = (...values: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 3 }, { arbitrary: word, weight: 1 })

const appFlags = fc.record({
    board: usually("pico", "pico_w", "esp32c3_bare", "simulator"),
    weights: fc.constantFrom("f32", "i16", "i8"),
    sensors: fc.option(usually("temperature,humidity", "temp,rh", "humidity,pressure"), { nil: undefined }),
    predicts: fc.option(usually("temperature", "-", "humidity"), { nil: undefined }),
    anomaly: usually("0", "1", "0.5"),
    period: usually("1000", "250", "1"),
    sync: fc.boolean(),
    saveEvery: fc.option(usually("0", "10"), { nil: undefined }),
    stuck: fc.option(usually("0", "1", "30"), { nil: undefined }),
    publish: fc.boolean(),
    withNames: fc.boolean(),
})

export const cliCase = fc.oneof(
    fc.record({ kind: fc.constant("main" as const), line: commandLine }),
    fc.record({ kind: fc.constant("app" as const), flags: appFlags })
)
type CliCase = typeof cliCase extends fc.Arbitrary<infer T> ? T : never

/** Runs main() in `dir` (a flag value can become an output path) with stdout and stderr captured. */
export async function runMain(dir: string, argv: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
    const err: string[] = []
    const out: string[] = []
    const saved = { error: console.error, log: console.log, out: process.stdout.write, err: process.stderr.write }
    console.error = (...a: unknown[]) => void err.push(a.join(" "))
    console.log = (...a: unknown[]) => void out.push(a.join(" "))
    process.stdout.write = (() => true) as typeof process.stdout.write
    process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write
    const cwd = process.cwd()
    process.chdir(dir)
    try {
        const code = await main(["node", "dsrnn", ...argv])
        return { code, stdout: out.join("\n").split("\n"), stderr: err.join("\n").split("\n").filter(l => l.trim()) }
    } catch (e) {
        throw new PropertyBroken(`main() threw: ${e instanceof Error ? e.stack : e}`)
    } finally {
        process.chdir(cwd)
        Object.assign(console, { error: saved.error, log: saved.log })
        process.stdout.write = saved.out
        process.stderr.write = saved.err
    }
}

/** The model and CSV files the command lines name, by file name. */
function cliInputs(): Record<string, string> {
    const model = canonicalModel({ inputs: 2, layers: [{ type: "rnn", units: 2, activation: "tanh", resetAfter: false }, { type: "dense", units: 1, activation: "linear", resetAfter: false }], normalize: false, names: null, seed: 1 })
    return { "good.json": JSON.stringify(model), "named.json": JSON.stringify({ ...model, inputNames: ["temperature", "humidity"] }), "in.csv": "a,b\n0.5,1\n-1,2\n" }
}
const INPUTS = cliInputs()

/** Writes the model and CSV files the command lines name into `dir`. */
export function prepareCliDir(dir: string): void {
    for (const [name, text] of Object.entries(INPUTS)) writeFileSync(join(dir, name), text)
}

export async function runCliCase(dir: string, c: CliCase): Promise<string> {
    if (c.kind === "app") {
        const { withNames, ...flags } = c.flags
        try {
            const p = await prepareApp(join(dir, withNames ? "named.json" : "good.json"), buildOptions(flags))
            if (p.app.features.length !== p.model.inputSize || !(p.app.periodMs >= 1)) throw new PropertyBroken(`prepareApp accepted ${JSON.stringify(p.app)}`)
            return "accepted"
        } catch (e) {
            checkRefusal(e)
            return "refused"
        }
    }
    // the extension each command writes: any other is refused before the command runs
    const out = join(dir, c.line.command === "simulate" ? "out.csv" : "out.ts")
    rmSync(out, { force: true })
    // "-o@csv" and "-o@model" point the output at an input (-o takes its value attached)
    const paths: Record<string, string> = { "@out": out, "@csv": join(dir, "in.csv"), "@dir": dir, "@missing": join(dir, "missing", "x"), "-o@csv": `-o${join(dir, "in.csv")}`, "-o@model": `-o${join(dir, "good.json")}` }
    const model = { good: join(dir, "good.json"), missing: join(dir, "nope.json"), dir, csv: join(dir, "in.csv") }[c.line.model]
    // simulate without --reference would start the simulator: it goes first, where no inserted "--" can make it an argument
    const argv = c.line.command === "simulate" ? ["simulate", "--reference", model, "-i", paths["@csv"], "-o", out] : [c.line.command, model, "-o", out]
    for (const { at, token } of c.line.insert as { at: number; token: string }[]) argv.splice(2 + (at % (argv.length - 1)), 0, paths[token] ?? token)
    const { code, stderr } = await runMain(dir, argv)
    // an inserted path can make an input the output: it must be refused, never written over
    for (const [name, text] of Object.entries(INPUTS)) if (readFileSync(join(dir, name), "utf8") !== text) throw new PropertyBroken(`${argv.join(" ")} changed ${name}`)
    if (code === 0) return "accepted"
    if (stderr[0]?.startsWith("dsrnn: ")) {
        if (stderr.length !== 1 || stderr[0].length > MESSAGE_LIMIT + 7) throw new PropertyBroken(`exit ${code} with ${JSON.stringify(stderr)}`)
        if (existsSync(out)) throw new PropertyBroken(`exit ${code} left ${out} behind`)
    } else if (!stderr[0]?.startsWith("error: ")) throw new PropertyBroken(`exit ${code} with ${JSON.stringify(stderr)}`)
    return "refused"
}
