/**
 * The recorder that `dsrnn record` deploys: a small DeviceScript program that
 * reads Jacdac sensor roles every period and prints one line per row, which
 * the host parses and appends to the CSV.
 *
 * Why a program on the device, not the host reading Jacdac registers: the
 * host would need a Jacdac client of its own (jacdac-ts, a new dependency)
 * for the serial bus and the simulator's WebSocket bus, while a program runs
 * unchanged on both through the path `dsrnn deploy` already takes (devs
 * devtools, a VM or `--serial`, devs deploy) and reads sensors exactly as the
 * dsrnn app does (roles in src/app.ts). The price: the recorder replaces the
 * program on the board until the app is flashed again.
 *
 * Why not console.data, the platform's way to log sensor data
 * (`# <ms> {temp:21.00098,}` in devs and the VS Code data pane): it prints
 * numbers with about 7 significant digits (measured: 1013.0009765625 prints
 * as 1013.001), so readings on Jacdac's 1/1024 grid would not survive. The
 * recorder keeps its device timestamp and sends each value as f64 hex
 * instead, as the app's `f64=` field does.
 *
 * Lines (each at most about 160 characters, under the console's 296-character
 * cut and one 236-byte Jacdac packet):
 *   dsrnn-rec: missing <sensor>,...      (sensors not bound after SENSOR_WAIT_MS; then it stops)
 *   dsrnn-rec: start
 *   dsrnn-rec: <i> <ms> <hex>            (row i, sampled at device time ms: one f64 per sensor, NaN = no value)
 *   dsrnn-rec: done
 */
import { UserError, clip, quote } from "../core/errors.ts"
import type { SensorKind } from "./sensors.ts"
import { MAX_HEX_LITERAL_BYTES } from "../emit/writer.ts"

/** 8 values = 128 hex characters; a longer row would risk the line cuts above. */
export const MAX_SENSORS = 8

/** How long the recorder waits for every sensor role to bind, as a board takes after boot. */
export const SENSOR_WAIT_MS = 5000

export type { SensorKind }

export const RECORD_TAG = "dsrnn-rec: "

export interface RecorderOptions {
    kinds: SensorKind[]
    periodMs: number
    rows: number
}

/** Roles of the program: one per client class, in first-use order. */
function rolesOf(kinds: SensorKind[]): string[] {
    return [...new Set(kinds.map(k => k.client))]
}

/**
 * Simulated sensors for the recorder in the simulator: one server per client
 * class, replaying `table` (one row per sample, one column per kind in `kinds`
 * order; NaN: the kind has no column, so no server). The table sits in flash
 * as f64 hex, so it takes no heap.
 */
export interface Replay {
    table: number[][]
}

/** Most replay values (f64, 8 B each) one hex literal holds. */
export const REPLAY_MAX_VALUES = Math.floor(MAX_HEX_LITERAL_BYTES / 8)

function replaySource(kinds: SensorKind[], replay: Replay): string {
    const width = kinds.length
    const buf = Buffer.alloc(8 * width * replay.table.length)
    replay.table.forEach((r, i) => r.forEach((v, j) => buf.writeDoubleLE(v, 8 * (i * width + j))))
    const servers = rolesOf(kinds)
        .map(client => {
            const cols = kinds.map((k, j) => ({ k, j })).filter(({ k }) => k.client === client)
            if (cols.some(({ j }) => Number.isNaN(replay.table[0]?.[j] ?? NaN))) return "" // no column: this sensor is missing
            const vector = cols[0].k.field >= 0
            const slots = vector ? Array.from({ length: cols[0].k.fields }, (_, f) => cols.find(x => x.k.field === f)?.j ?? -1) : [cols[0].j]
            return `startServer(new Feed(ds.${client}.spec, [${slots.join(", ")}], ${vector}))`
        })
        .filter(Boolean)
    return `
const REPLAY = hex\`${buf.toString("hex")}\`
const REPLAY_ROWS = ${replay.table.length}
let replayRow = 0

/** Serves columns of the current replay row (-1: an axis not recorded, 0); holds the last row at the end. */
class Feed extends SensorServer {
    constructor(spec: ds.ServiceSpec, private cols: number[], private vector: boolean) {
        super(spec, { interval: 100 })
    }

    reading(): any {
        const r = Math.min(replayRow, REPLAY_ROWS - 1)
        const v = this.cols.map(c => (c < 0 ? 0 : REPLAY.getAt(8 * (r * ${width} + c), "f64")))
        return this.vector ? v : v[0]
    }
}

${servers.join("\n")}
`
}

/** The recorder's main.ts; with `replay`, it also hosts simulated sensors replaying it. */
export function recorderSource(opts: RecorderOptions, replay?: Replay): string {
    const { kinds } = opts
    if (kinds.length === 0 || kinds.length > MAX_SENSORS) throw new UserError(`--sensors names ${kinds.length} sensors; record 1 to ${MAX_SENSORS} at a time`)
    const roles = rolesOf(kinds)
    const role = (k: SensorKind) => `role${roles.indexOf(k.client)}`
    const bound = roles.map((_, r) => `role${r}.isBound`).join(" && ")
    const checks = kinds.map(k => `    if (!${role(k)}.isBound) missing += ",${k.name}"`).join("\n")
    const reads = roles.map((client, r) => {
        const mine = kinds.map((k, j) => ({ k, j })).filter(({ k }) => k.client === client)
        const value = (j: number, expr: string) => `        ROW.setAt(${8 * j}, "f64", ${expr})`
        if (mine[0].k.field < 0) return value(mine[0].j, `role${r}.isBound ? num(await role${r}.reading.read()) : NaN`)
        return [`        const v${r}: any = role${r}.isBound ? await role${r}.reading.read() : undefined`, ...mine.map(({ k, j }) => value(j, `v${r} ? num(v${r}[${k.field}]) : NaN`))].join("\n")
    })
    return `// Generated by dsrnn record: reads the sensors every period and prints one line per row. Do not edit.
import * as ds from "@devicescript/core"
${replay ? `import { SensorServer, startServer } from "@devicescript/server"\n` : ""}
${roles.map((client, r) => `const role${r} = new ds.${client}()`).join("\n")}
const ROW = Buffer.alloc(${8 * kinds.length})
${replay ? replaySource(kinds, replay) : ""}
function num(v: any): number {
    return typeof v === "number" ? v : NaN
}

let waited = 0
while (waited < ${SENSOR_WAIT_MS} && !(${bound})) {
    await ds.sleep(100)
    waited += 100
}
if (!(${bound})) {
    let missing = ""
${checks}
    console.log("${RECORD_TAG}missing " + missing.slice(1))
} else {
    console.log("${RECORD_TAG}start")
    for (let i = 0; i < ${opts.rows}; i++) {
        const started = ds.millis()
${reads.join("\n")}
        console.log("${RECORD_TAG}" + i + " " + started + " " + ROW.toString("hex"))
${replay ? "        replayRow++\n" : ""}        await ds.sleep(Math.max(0, ${opts.periodMs} - (ds.millis() - started)))
    }
    console.log("${RECORD_TAG}done")
}
`
}

export type RecordEvent = { kind: "start" } | { kind: "done" } | { kind: "missing"; sensors: string[] } | { kind: "row"; index: number; ms: number; values: number[] }

/** The recorder's event in a console line (anywhere in it: devs puts its own prefix in front), or null. */
export function parseRecordLine(line: string, width: number): RecordEvent | null {
    const at = line.indexOf(RECORD_TAG)
    if (at < 0) return null
    const body = line.slice(at + RECORD_TAG.length).trim()
    if (body === "start" || body === "done") return { kind: body }
    const missing = /^missing (\S+)$/.exec(body)
    if (missing) return { kind: "missing", sensors: missing[1].split(",") }
    const m = /^(\d+) (\d+) ([0-9a-f]+)$/.exec(body)
    if (!m || m[3].length !== 16 * width) throw new UserError(`the device's output is damaged: ${quote(clip(body, 60))} is no recorder line for ${width} sensors`)
    const bytes = Buffer.from(m[3], "hex")
    return { kind: "row", index: +m[1], ms: +m[2], values: Array.from({ length: width }, (_, j) => bytes.readDoubleLE(8 * j)) }
}
