/** Runs the DeviceScript CLI (the real VM in WASM) and reads what it prints. */
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { type AddressInfo, createServer } from "node:net"
import { join } from "node:path"
import { PACKAGE_ROOT, projectRoot } from "./paths.ts"

const require = createRequire(import.meta.url)
const CLI = require.resolve("@devicescript/cli/built/devicescript-cli.cjs")
/** Shipped next to the dsrnn launcher, since the CLI also runs bundled from tools/dist/. */
const PORTS_PRELOAD = join(PACKAGE_ROOT, "tools", "bin", "devs-ports.cjs")

/**
 * devs devtools, vm, deploy and bundle talk over the fixed ports 8081-8083.
 * These are three free ports to use instead (devs-ports.cjs moves them), so
 * two simulated devices or bundles can run side by side.
 */
export async function freeDevsPorts(): Promise<string> {
    const servers = [0, 1, 2].map(() => createServer())
    try {
        const ports = await Promise.all(servers.map(s => new Promise<number>((resolve, reject) => s.once("error", reject).listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)))))
        return ports.join(",")
    } finally {
        for (const s of servers) s.close()
    }
}

/** node's arguments and environment for `devs <args>`, its fixed ports moved to `ports` (from freeDevsPorts) when given. */
export function devsProcess(args: string[], ports?: string): { argv: string[]; env: NodeJS.ProcessEnv } {
    const env = { ...process.env, NO_COLOR: "1" }
    if (!ports) return { argv: [CLI, ...args, "--no-colors"], env }
    return { argv: ["--require", PORTS_PRELOAD, CLI, ...args, "--no-colors"], env: { ...env, DSRNN_DEVS_PORTS: ports } }
}

export interface DevsResult {
    code: number
    /** stdout and stderr, colour codes removed, one string. */
    output: string
}

function stripAnsi(s: string): string {
    return s.replace(/\x1b\[[0-9;]*m/g, "")
}

/**
 * Turns a process's output, chunk by chunk, into lines: each chunk's text,
 * colour codes removed, is returned, and each line it completes goes to
 * `onLine` (a chunk may end inside a line, which waits for the next one).
 */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => string {
    let pending = ""
    return chunk => {
        const text = stripAnsi(chunk.toString())
        const lines = (pending + text).split("\n")
        pending = lines.pop() ?? ""
        lines.forEach(onLine)
        return text
    }
}

/** Runs `devs <args>` (in the user's project unless `cwd` says otherwise); never throws on a non-zero exit. */
export function devs(args: string[], onLine?: (line: string) => void, cwd = projectRoot(), ports?: string): Promise<DevsResult> {
    return new Promise((resolve, reject) => {
        const { argv, env } = devsProcess(args, ports)
        const child = spawn(process.execPath, argv, { cwd, env })
        let output = ""
        const split = lineSplitter(line => onLine?.(line))
        const take = (chunk: Buffer) => {
            output += split(chunk)
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
