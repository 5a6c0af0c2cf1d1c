/** `dsrnn record`: a CSV of the board's (or the simulator's) sensor readings, one row per period. */
import { existsSync } from "node:fs"
import { constants } from "node:os"
import type { Command } from "commander"
import { REPLAY_MAX_VALUES, type Replay, type SensorKind } from "../board/record-program.ts"
import { checkRecordOut, record } from "../board/record.ts"
import { modelInputs } from "../io/columns.ts"
import { readRecords } from "../io/csv.ts"
import { UserError, quote } from "../core/errors.ts"
import { progressBar } from "./progress.ts"
import { parseSensor, sensorHelp } from "../board/sensors.ts"

/**
 * A role's `reading.read()` returns the cached reading while it is younger
 * than 500 ms (impl_register.c in the DeviceScript runtime), so a shorter
 * period would write repeats, not samples; 600 ms leaves 100 ms for the
 * reply to travel.
 */
const MIN_PERIOD_MS = 600

/** Signals that stop a recording; the exit code is 128 + the signal's number (130 for Ctrl-C), as a shell reports it. */
const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"]

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, m: 60_000, h: 3_600_000 }

/** "500ms", "1s", "2.5s", "1min", "1h"; a bare number is milliseconds, as --period is for build and deploy. */
export function parsePeriod(text: string): number {
    const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|min|m|h)?$/.exec(text.trim())
    if (!m) throw new UserError(`--period must be a duration such as 500ms, 1s or 1min, got ${quote(text)}`)
    const ms = Number(m[1]) * UNIT_MS[m[2] ?? "ms"]
    if (!Number.isInteger(ms)) throw new UserError(`--period ${text} is ${ms} ms; give a whole number of milliseconds`)
    if (ms < MIN_PERIOD_MS) throw new UserError(`--period ${text} is ${ms} ms; the shortest is ${MIN_PERIOD_MS} ms${m[2] ? "" : " (a bare number is milliseconds: write 1s for a second)"}`)
    return ms
}

/** The kinds --sensors names (any of the sensor table's), checked: known, and each once. */
export function resolveKinds(sensorsFlag: string): SensorKind[] {
    const kinds = sensorsFlag.split(",").map(n => parseSensor(n, "--sensors"))
    const twice = kinds.find((k, i) => kinds.indexOf(k) !== i)
    if (twice) throw new UserError(`--sensors names ${twice.name} twice`)
    return kinds
}

export function parseRows(text: string): number {
    const n = Number(text.trim())
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UserError(`--rows must be a whole number of rows, at least 1, got ${quote(text)}`)
    return n
}

/**
 * The --input rows as the simulated sensors replay them: by column name (other
 * columns skipped and reported, as simulate and deploy do), NaN for a sensor
 * the CSV lacks, which the recorder then reports missing as a board would.
 */
function replayOf(input: string, kinds: SensorKind[], rows: number): { replay: Replay; notes: string[] } {
    const rec = readRecords(input)
    const cols = kinds.map(k => rec.header.indexOf(k.name))
    // a vector sensor is one simulated server: all of its recorded axes, or none
    for (const k of kinds)
        if (k.field >= 0 && cols[kinds.indexOf(k)] < 0 && kinds.some((o, j) => o.client === k.client && cols[j] >= 0))
            throw new UserError(`--input ${input} has no "${k.name}" column but other axes of the same sensor; give all of them, or record fewer`)
    const present = kinds.filter((_, j) => cols[j] >= 0).map(k => k.name)
    const { rows: csv, notes } = modelInputs(rec, { inputNames: present, inputSize: present.length }, "--sensors")
    const take = Math.min(rows, csv.length, Math.floor(REPLAY_MAX_VALUES / kinds.length))
    const table = csv.slice(0, take).map(r => kinds.map(k => (present.includes(k.name) ? r[present.indexOf(k.name)] : NaN)))
    if (take < rows) notes.push(`the simulated sensors replay ${take} rows, then hold the last one`)
    return { replay: { table }, notes: notes.map(n => `--input: ${n}`) }
}

interface RecordFlags {
    sensors: string
    period: string
    rows: string
    out: string
    simulator?: boolean
    input?: string
    port?: string
    force?: boolean
}

export function registerRecordCommand(program: Command): void {
    program
        .command("record")
        .description("record the board's sensors (or simulated ones) into a CSV that `dsrnn train` takes: a timestamp column, then one column per sensor, one row per period")
        .requiredOption("--sensors <kinds>", "sensors to record, comma-separated, e.g. temperature,humidity (all kinds below)")
        .requiredOption("-n, --rows <n>", "rows to record (Ctrl-C stops earlier, keeping every row so far)")
        .requiredOption("-o, --out <file.csv>", "the CSV to write; each row is on disk as soon as it arrives")
        .option("--period <duration>", "time between rows: 500ms, 1s, 1min, ... (at least 600ms)", "1s")
        .option("--simulator", "record on a simulated device whose simulated sensors replay --input")
        .option("-i, --input <in.csv>", "with --simulator: the values the simulated sensors give, one column per sensor name")
        .option("-p, --port <path>", "record on the DeviceScript board at this serial port, e.g. /dev/ttyACM0 (replaces its program: flash your app again afterwards)")
        .option("--force", "replace --out if it exists")
        .addHelpText(
            "after",
            `
Either --simulator (with --input) or --port is required. The recorder reads
the sensors through Jacdac roles, as the dsrnn app does, and waits 5 s for
each; a sensor that does not show up stops it with a message naming it.
Readings arrive as the sensor sends them over Jacdac (temperature, humidity and
pressure on a 1/1024 grid), and are written exactly. A reading the sensor had
no value for is an empty cell, which \`dsrnn train\` drops with a note.
Ctrl-C stops the recording with exit code 130; the CSV then holds every row so far.

Examples:
  npx dsrnn record --sensors temperature,humidity --period 1s --rows 3600 --out readings.csv --port /dev/ttyACM0
  npx dsrnn record --sensors temperature,humidity --period 1s --rows 5 --out sim.csv --simulator --input readings.csv

${sensorHelp()}`
        )
        .action(async (flags: RecordFlags) => {
            const kinds = resolveKinds(flags.sensors)
            const periodMs = parsePeriod(flags.period)
            const rows = parseRows(flags.rows)
            if (!flags.simulator === !flags.port) throw new UserError("say where to record: --simulator (with --input) or --port <path> of a board")
            if (flags.simulator && !flags.input) throw new UserError("--simulator needs --input <in.csv>: the values its simulated sensors give")
            if (flags.port && flags.input) throw new UserError("--input is for --simulator; a board records its own sensors")
            if (flags.port && !existsSync(flags.port)) throw new UserError(`no board at ${flags.port}: the port does not exist`)
            checkRecordOut(flags.out, !!flags.force, flags.input)
            const sim = flags.input ? replayOf(flags.input, kinds, rows) : undefined
            sim?.notes.forEach(n => console.error(n))
            // Ctrl-C (or a kill) ends the recording; the devs processes are stopped and the rows kept
            const ac = new AbortController()
            let stoppedBy: NodeJS.Signals = "SIGINT"
            const onSignal = (signal: NodeJS.Signals) => {
                stoppedBy = signal
                ac.abort()
            }
            for (const s of STOP_SIGNALS) process.once(s, onSignal)
            const progress = progressBar("recording", "rows", rows)
            let result
            try {
                result = await record({
                    kinds,
                    periodMs,
                    rows,
                    out: flags.out,
                    force: !!flags.force,
                    target: sim ? { replay: sim.replay } : { port: flags.port! },
                    onRow: n => progress.update(n),
                    onLog: l => (process.env.DSRNN_VERBOSE ? console.error(l) : undefined),
                    signal: ac.signal,
                })
            } finally {
                progress.stop()
                for (const s of STOP_SIGNALS) process.off(s, onSignal)
            }
            const notes = [
                result.emptyCells ? `${result.emptyCells} readings without a value left empty` : "",
                result.lost ? `${result.lost} rows lost on the way from the device` : "",
                flags.port ? "the recorder replaced the program on the board: flash your app again" : "",
            ].filter(Boolean)
            const summary = `${result.rows} rows of ${kinds.map(k => k.name).join(", ")} in ${flags.out}${notes.length ? ` (${notes.join("; ")})` : ""}`
            const by = stoppedBy === "SIGINT" ? "Ctrl-C" : stoppedBy
            if (result.interrupted) throw new UserError(result.rows ? `stopped by ${by}: ${summary}, every one on disk` : `stopped by ${by} before the first row; nothing written`, 128 + constants.signals[stoppedBy])
            console.log(`wrote ${summary}`)
        })
}
