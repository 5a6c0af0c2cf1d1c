/**
 * `dsrnn record`: the recorder program (record-program.ts) on a simulated
 * device or a board, its rows appended to a CSV as they arrive. The device
 * side is the path `dsrnn deploy` takes: devs devtools (with `--serial` for
 * a board), a `devs vm` for the simulator, and devs deploy over the bus.
 */
import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { DevsProcess } from "./deploy.ts"
import { type Replay, type RecordEvent, SENSOR_WAIT_MS, type SensorKind, parseRecordLine, recorderFiles } from "./record-program.ts"
import { checkOutputs } from "../io/outputs.ts"
import { RowFile } from "../io/row-file.ts"
import { freeDevsPorts } from "../run/devs.ts"
import { Workspace } from "../run/workspace.ts"
import { UserError } from "../core/errors.ts"

/** Where the recorder runs: a simulated device with replayed sensors, or the board behind a serial port. */
export type RecordTarget = { replay: Replay } | { port: string }

export interface RecordOptions {
    kinds: SensorKind[]
    periodMs: number
    rows: number
    out: string
    /** Replace an existing --out. */
    force: boolean
    target: RecordTarget
    /** Rows on disk so far. */
    onRow?: (rows: number) => void
    /** devs chatter and the device's other lines. */
    onLog?: (line: string) => void
    /** Ctrl-C: stop, keeping every row so far. */
    signal?: AbortSignal
}

export interface RecordResult {
    rows: number
    /** Readings the device had no value for, written as empty cells. */
    emptyCells: number
    /** Row numbers that never arrived (a lost console line). */
    lost: number
    interrupted: boolean
}

/**
 * Refuses, before any work, an --out that checkOutputs refuses (the --input,
 * no .csv, ...), and one that exists unless --force: the rows are appended
 * to --out itself as they arrive (that is the point: on disk at once), not
 * written to a temporary file and renamed, so an old file could not survive.
 */
export function checkRecordOut(out: string, force: boolean, input?: string): void {
    checkOutputs("dsrnn record", [{ path: out, flag: "--out", what: "a CSV", extensions: [".csv"] }], [input])
    if (existsSync(out) && !force) throw new UserError(`${out} exists; pass --force to replace it`)
}

/** A cell as train reads it back: shortest exact decimal, empty for no value. */
const cell = (v: number) => (Number.isFinite(v) ? String(v) : "")

/** Budget for devs to start and deploy, before the recorder's own SENSOR_WAIT_MS. */
const START_MS = 30_000

export async function record(opts: RecordOptions): Promise<RecordResult> {
    const { kinds, target } = opts
    const replay = "replay" in target ? target.replay : undefined
    const where = replay ? "the simulated device" : `the board at ${"port" in target ? target.port : ""}`
    const ws = new Workspace()
    const started: DevsProcess[] = []
    let file: RowFile | undefined
    const result: RecordResult = { rows: 0, emptyCells: 0, lost: 0, interrupted: false }
    try {
        for (const [name, source] of Object.entries(recorderFiles(opts, replay))) ws.write(name, source)
        await ws.build("main.ts")
        if (opts.signal?.aborted) return { ...result, interrupted: true }
        let onEvent: (e: RecordEvent) => void = () => {}
        let fail: (e: Error) => void = () => {}
        const take = (line: string) => {
            let event: RecordEvent | null
            try {
                event = parseRecordLine(line, kinds.length)
            } catch (e) {
                return fail(e as Error)
            }
            if (event) onEvent(event)
            else opts.onLog?.(line)
        }
        const ports = await freeDevsPorts()
        // a board's console lines come through devtools, the simulated device prints its own
        const serial = "port" in target ? { DSRNN_SERIAL_PORT: target.port } : {}
        const devtools = new DevsProcess(replay ? ["devtools"] : ["devtools", "--serial"], ws.dir, ports, replay ? l => opts.onLog?.(l) : take, serial)
        started.push(devtools)
        await devtools.waitFor(l => /tcpsocket/.test(l), 15_000, "starting devs devtools")
        if (replay) {
            const vm = new DevsProcess(["vm", "--stateless", "--device-id", randomBytes(8).toString("hex")], ws.dir, ports, take)
            started.push(vm)
            await vm.waitFor(l => /DeviceScript Simulator/.test(l), 15_000, "starting the simulated device")
        }
        const done = new Promise<void>((resolveDone, reject) => {
            let timer: NodeJS.Timeout | undefined
            const finish = (e?: Error) => {
                clearTimeout(timer)
                if (e) reject(e)
                else resolveDone()
            }
            fail = finish
            // no line for this long means the device or the link is gone
            const expect = (ms: number, what: string, hint = "") => {
                clearTimeout(timer)
                timer = setTimeout(() => finish(new UserError(`${where} sent no ${what} within ${Math.round(ms / 1000)} s${hint}`)), ms)
            }
            // with no board on the port, devs deploy finds no device to deploy to and waits: only this timeout tells
            expect(START_MS + SENSOR_WAIT_MS, "recorder output", replay ? "" : "; is a board with DeviceScript firmware connected (`npx devs flash` once), and no other program (VS Code, devs devtools) using the port?")
            const rowGap = 2 * opts.periodMs + 10_000
            let anchor: number | undefined
            onEvent = e => {
                if (e.kind === "missing") {
                    const hint = replay ? `--input has no ${e.sensors.join(", ")} column` : "the recorder reads Jacdac sensor roles, as the dsrnn app does: connect the module, or check its wiring"
                    return finish(new UserError(`no ${e.sensors.join(", ")} sensor on ${where} within ${SENSOR_WAIT_MS / 1000} s (${hint})`))
                }
                if (e.kind === "start" && file) return finish(new UserError(`${where} restarted (a reset or a power cut) after ${result.rows} rows; they are in ${opts.out}`))
                if (e.kind === "start") {
                    // created only now: a build failure or a missing sensor leaves an existing file alone
                    file = new RowFile(opts.out, ["timestamp", ...kinds.map(k => k.name)], opts.force)
                    return expect(rowGap, "row")
                }
                if (e.kind === "done") return finish()
                if (!file || e.index < result.rows + result.lost) return // a line seen twice
                result.lost += e.index - (result.rows + result.lost)
                // device time, anchored to the host clock at the first row: evenly spaced as sampled, whatever the link's delays
                anchor ??= Date.now() - e.ms
                file.append([new Date(anchor + e.ms).toISOString(), ...e.values.map(cell)])
                result.emptyCells += e.values.filter(v => !Number.isFinite(v)).length
                result.rows++
                opts.onRow?.(result.rows)
                if (result.rows + result.lost >= opts.rows) return finish()
                expect(rowGap, "row")
            }
            const interrupt = () => {
                result.interrupted = true
                finish()
            }
            if (opts.signal?.aborted) interrupt()
            opts.signal?.addEventListener("abort", interrupt)
            for (const proc of started)
                proc.child.on("exit", (code, signal) => {
                    // Ctrl-C in a terminal reaches devs too
                    if (signal === "SIGINT") result.interrupted = true
                    finish(result.interrupted ? undefined : new UserError(`${where} stopped (devs exited with code ${code}): ${proc.output.slice(-2).join(" | ")}`))
                })
        })
        const deploy = new DevsProcess(["deploy", join(".devicescript", "bin", "bytecode.devs")], ws.dir, ports, l => opts.onLog?.(l))
        started.push(deploy)
        const code = await Promise.race([deploy.exit(), done.then(() => 0)])
        if (code !== 0) throw new UserError(`devs deploy to ${where} failed (exit code ${code}): ${deploy.output.slice(-2).join(" | ")}`)
        await done
        return result
    } finally {
        file?.close()
        for (const proc of started.reverse()) proc.stop()
        ws.dispose()
    }
}
