/** Runs the DeviceScript CLI (the real VM in WASM) and reads what it prints. */
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { projectRoot } from "./paths.ts"

const require = createRequire(import.meta.url)
const CLI = require.resolve("@devicescript/cli/built/devicescript-cli.cjs")

export interface DevsResult {
    code: number
    /** stdout and stderr, colour codes removed, one string. */
    output: string
}

export function stripAnsi(s: string): string {
    return s.replace(/\x1b\[[0-9;]*m/g, "")
}

/** Runs `devs <args>` (in the user's project unless `cwd` says otherwise); never throws on a non-zero exit. */
export function devs(args: string[], onLine?: (line: string) => void, cwd = projectRoot()): Promise<DevsResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...args, "--no-colors"], {
            cwd,
            env: { ...process.env, NO_COLOR: "1" },
        })
        let output = ""
        let pending = ""
        const take = (chunk: Buffer) => {
            const text = stripAnsi(chunk.toString())
            output += text
            if (!onLine) return
            pending += text
            const lines = pending.split("\n")
            pending = lines.pop() ?? ""
            lines.forEach(onLine)
        }
        child.stdout.on("data", take)
        child.stderr.on("data", take)
        child.on("error", reject)
        child.on("close", code => resolve({ code: code ?? 1, output }))
    })
}

export interface TestSummary {
    tests: number
    pass: number
    error: number
}

/** The `tests: N, pass: P, error: E` line @devicescript/test prints, or null. */
export function parseTestSummary(output: string): TestSummary | null {
    const m = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(output)
    return m ? { tests: +m[1], pass: +m[2], error: +m[3] } : null
}

/**
 * Runs a DeviceScript file in the simulator in test mode. `--test-self-exit`
 * is what makes @devicescript/test suites run at all.
 */
export function runInSimulator(file: string, timeoutMs: number, onLine?: (line: string) => void) {
    return devs(["run", file, "--test", "--test-self-exit", "--test-timeout", String(timeoutMs)], onLine)
}
