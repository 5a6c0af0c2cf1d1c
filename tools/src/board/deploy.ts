/**
 * `dsrnn deploy --simulator`: the path a USB board takes, with a simulated
 * device at the end. `devs devtools` serves the Jacdac bus on a WebSocket
 * (8081 in devs, moved to a free port here, so two deploys can run side by
 * side), `devs vm` joins it as a device, and `devs deploy`
 * sends the built program over the bus to that device (the DeviceScript
 * manager service, as for a board behind `devs devtools --serial`). The VM
 * prints the app's console lines, which are the published predictions.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { simulatorFiles } from "./app-program.ts"
import { roundingNote, sensorKind } from "./sensors.ts"
import { onTheWire, wireRange } from "./wire.ts"
import { type PreparedApp, buildFittingApp } from "./app-build.ts"
import { readModelInputs } from "../io/columns.ts"
import { devsProcess, freeDevsPorts, lineSplitter } from "../run/devs.ts"
import { UserError } from "../core/errors.ts"
import { type Prediction, parsePrediction } from "./app-lines.ts"
import { APP_DONE, APP_PREFIX } from "../../../src/console-lines.ts"

/** A devs process whose output lines are watched; `waitFor` resolves on the first matching line. */
export class DevsProcess {
    readonly child: ChildProcess
    private lines: string[] = []
    private watchers: { test: (l: string) => boolean; resolve: (l: string) => void }[] = []
    private exited = false

    constructor(args: string[], cwd: string, ports: string, private onLine: (line: string) => void, extraEnv: NodeJS.ProcessEnv = {}) {
        const { argv, env } = devsProcess(args, ports)
        this.child = spawn(process.execPath, argv, { cwd, env: { ...env, ...extraEnv } })
        const take = lineSplitter(line => {
            this.lines.push(line)
            this.onLine(line)
            this.watchers = this.watchers.filter(w => !(w.test(line) && (w.resolve(line), true)))
        })
        this.child.stdout!.on("data", take)
        this.child.stderr!.on("data", take)
        this.child.on("exit", () => (this.exited = true))
    }

    get output(): string[] {
        return this.lines
    }

    waitFor(test: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
        const seen = this.lines.find(test)
        if (seen !== undefined) return Promise.resolve(seen)
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new UserError(`${what} did not happen within ${timeoutMs} ms: ${this.lines.slice(-3).join(" | ")}`)), timeoutMs)
            const watcher = {
                test,
                resolve: (l: string) => {
                    clearTimeout(timer)
                    resolve(l)
                },
            }
            this.watchers.push(watcher)
            this.child.on("exit", code => {
                clearTimeout(timer)
                reject(new UserError(`${what} failed: the process exited with code ${code}: ${this.lines.slice(-3).join(" | ")}`))
            })
        })
    }

    exit(): Promise<number> {
        return new Promise(resolve => {
            if (this.exited) resolve(this.child.exitCode ?? 1)
            else this.child.on("exit", code => resolve(code ?? 1))
        })
    }

    stop() {
        if (!this.exited) this.child.kill()
    }
}

/**
 * The rows as the app will receive them through the simulated sensors, and
 * one line per sensor whose values the wire rounds. A value the sensor's
 * format cannot carry at all (it would saturate) is refused.
 */
export function replayRows(features: string[], csvRows: number[][]): { rows: number[][]; notes: string[] } {
    const kinds = features.map(sensorKind)
    const rounded = new Set<number>()
    const rows = csvRows.map((r, t) =>
        r.map((v, j) => {
            const [lo, hi] = wireRange(kinds[j].packed)
            if (v < lo || v > hi) throw new UserError(`row ${t + 1}: ${kinds[j].name}=${v} is more than its simulated sensor can send (${kinds[j].packed}: ${lo} to ${hi}); is it the right column for ${kinds[j].name}?`)
            const w = onTheWire(v, kinds[j].packed)
            if (w !== v) rounded.add(j)
            return w
        })
    )
    return { rows, notes: [...rounded].map(j => roundingNote(kinds[j])) }
}

export interface DeployResult {
    /** The rows fed, as the app received them (rounded to the Jacdac wire format). */
    rows: number[][]
    /** One line per sensor whose readings the simulated sensor rounds (replayRows). */
    notes: string[]
    predictions: Prediction[]
    /** The app's fault and status lines. */
    log: string[]
}

/** Builds the app with simulated sensors replaying `rows`, deploys it to a simulated device and collects the predictions. */
export async function runOnSimulatedDevice(prepared: PreparedApp, csvRows: number[][], onLog: (line: string) => void): Promise<DeployResult> {
    const { rows, notes } = replayRows(prepared.app.features, csvRows.slice(0, prepared.app.steps))
    if (rows.length < prepared.app.steps) throw new UserError(`--steps ${prepared.app.steps} needs ${prepared.app.steps} input rows, the CSV has ${rows.length}`)
    const { p, ws } = await buildFittingApp(prepared, app => simulatorFiles(app, rows))
    const started: DevsProcess[] = []
    try {
        const ports = await freeDevsPorts()
        const devtools = new DevsProcess(["devtools"], ws.dir, ports, onLog)
        started.push(devtools)
        await devtools.waitFor(l => /tcpsocket/.test(l), 15_000, "starting devs devtools")
        const vm = new DevsProcess(["vm", "--stateless", "--device-id", randomBytes(8).toString("hex")], ws.dir, ports, onLog)
        started.push(vm)
        await vm.waitFor(l => /DeviceScript Simulator/.test(l), 15_000, "starting the simulated device")
        const deploy = new DevsProcess(["deploy", join(".devicescript", "bin", "bytecode.devs")], ws.dir, ports, onLog)
        started.push(deploy)
        const code = await deploy.exit()
        if (code !== 0) throw new UserError(`devs deploy failed (exit code ${code}): ${deploy.output.slice(-2).join(" | ")}`)
        const budgetMs = 20_000 + p.app.steps * (p.app.periodMs + 500)
        await vm.waitFor(l => l.includes(APP_DONE), budgetMs, `the app's ${p.app.steps} predictions`)
        const appLines = vm.output.filter(l => l.includes(APP_PREFIX)).map(l => l.slice(l.indexOf(APP_PREFIX)))
        const predictions = appLines.map(parsePrediction).filter((x): x is Prediction => x !== null)
        return { rows, notes, predictions, log: appLines.filter(l => parsePrediction(l) === null) }
    } finally {
        for (const proc of started.reverse()) proc.stop()
        ws.dispose()
    }
}

/** `dsrnn deploy --simulator`: one printed line per step; the CSV's columns are matched to the model's inputs by name. */
export async function deploySimulator(p: PreparedApp, csvPath: string, onLog: (line: string) => void, delimiter?: string): Promise<string[]> {
    const { rows: csv, times, notes } = readModelInputs(csvPath, p.model, delimiter)
    for (const n of notes) onLog(`data: ${n}`)
    // the replayed rows are the app's samples, one row apart: its clock starts at the first row's time
    if (p.app.calendar?.length && p.app.startMs === undefined) p = { ...p, app: { ...p.app, startMs: times![0] } }
    // devs chatter goes to the caller's log only when asked for; the app's own lines always do.
    const { rows, notes: rounding, predictions, log } = await runOnSimulatedDevice(p, csv, l => (process.env.DSRNN_VERBOSE ? onLog(l) : undefined))
    rounding.forEach(onLog)
    log.forEach(onLog)
    return predictions.map(({ t, y, anomaly }) => {
        const inputs = p.app.features.map((f, j) => `${f}=${rows[t][j]}`).join(" ")
        return `t=${t} ${inputs} -> y=[${y.join(", ")}]${anomaly ? " ANOMALY" : ""}`
    })
}
