import { spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url))
const BIN = join(REPO_ROOT, "tools", "bin", "dsrnn.js")

export interface CliResult {
    /** Exit code, 1 when killed by a signal. */
    code: number
    status: number | null
    signal: NodeJS.Signals | null
    stdout: string
    stderr: string
}

/** Runs the real `dsrnn ...args` as a subprocess, without blocking the event loop. */
export function runCli(args: string[], cwd = REPO_ROOT): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } })
        let stdout = ""
        let stderr = ""
        child.stdout.setEncoding("utf8").on("data", d => (stdout += d))
        child.stderr.setEncoding("utf8").on("data", d => (stderr += d))
        child.on("error", reject)
        child.on("close", (status, signal) => resolve({ code: status ?? 1, status, signal, stdout, stderr }))
    })
}
