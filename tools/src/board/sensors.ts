/**
 * The sensor kinds a model input can come from: one per numeric value of
 * every @devicescript/core sensor client, with its valid range. The table
 * (sensor-kinds.g.ts) is generated from the Jacdac service specs by
 * tools/scripts/gen-sensors.ts; the device app gets what it needs from it
 * through the generated app-params.ts (app-program.ts), so there is no second copy.
 */
import { UserError, quote } from "../core/errors.ts"
import { SENSOR_KINDS } from "./sensor-kinds.g.ts"
import { describeStep } from "./wire.ts"

export { SENSOR_KINDS }

export interface SensorKind {
    /** What --sensors and a model's inputNames call it: "light_level", "accel_x". */
    name: string
    /** The @devicescript/core client class, ds.<client> ("LightLevel"). */
    client: string
    /** Index of this value in the client's reading tuple; -1 when the reading is one number. */
    field: number
    /** How many values the client's reading has. */
    fields: number
    /** The spec's unit ("°C", "/" for a ratio). */
    unit: string
    /** The value's Jacdac wire format (packFormat). */
    format: string
    /** The format a simulated sensor really sends it in (DeviceScript drops fraction bits in readings of several values). */
    packed: string
    /** Valid range: a reading outside is a sensor fault. */
    min: number
    max: number
    /** Where min and max come from (spec absolute/typical, ratio, percent, dsrnn, wire). */
    range: string
    /** Other names accepted for it (the service's own spellings). */
    aliases: string[]
}

/** Short names people give columns, on top of the spec's own spellings. */
const ALIASES: Record<string, string> = {
    temp: "temperature",
    t: "temperature",
    rh: "humidity",
    hum: "humidity",
    press: "pressure",
    p: "pressure",
    ax: "accel_x",
    ay: "accel_y",
    az: "accel_z",
    acc_x: "accel_x",
    acc_y: "accel_y",
    acc_z: "accel_z",
}

const BY_NAME = new Map<string, SensorKind>()
for (const k of SENSOR_KINDS) for (const n of [k.name, ...k.aliases]) BY_NAME.set(n, k)
for (const [alias, name] of Object.entries(ALIASES)) BY_NAME.set(alias, BY_NAME.get(name)!)

/** The kind a column or flag value names (any case, spaces or dashes for underscores), or undefined. */
export function findSensor(name: string): SensorKind | undefined {
    return BY_NAME.get(name.trim().toLowerCase().replace(/[\s-]+/g, "_"))
}

/** The kinds named in errors; `dsrnn build --help` lists them all (sensorHelp). */
const COMMON = ["temperature", "humidity", "pressure", "light_level", "soil_moisture", "accel_x"]

/**
 * The kind named so; throws a one-line UserError (at most 300 characters)
 * with a few kinds and where the rest are. `input`: the name is a model
 * input's, so the message says how to map it (--sensors) or feed it from
 * the user's own code.
 */
export function parseSensor(name: string, what: string, input = false): SensorKind {
    const kind = findSensor(name)
    if (kind) return kind
    const way = input ? "; map it with --sensors or feed it from your own code (README: Inputs that are not sensors)" : ""
    throw new UserError(`${what}: ${quote(name)} is not a sensor${way}. Sensors: ${COMMON.join(", ")}, ... (all ${SENSOR_KINDS.length}: dsrnn build --help)`)
}

/** The --help section listing every kind, wrapped. */
export function sensorHelp(width = 80): string {
    const lines = ["Sensor kinds (--sensors, --range; README: Sensors):"]
    let line = " "
    for (const name of SENSOR_KINDS.map(k => k.name)) {
        if (line.length + name.length + 2 > width) {
            lines.push(line)
            line = " "
        }
        line += ` ${name},`
    }
    lines.push(line.slice(0, -1))
    return lines.join("\n")
}

/** The kind by its table name (names the host produced itself). */
export function sensorKind(name: string): SensorKind {
    const kind = SENSOR_KINDS.find(k => k.name === name)
    if (!kind) throw new Error(`no sensor kind ${name}`)
    return kind
}

/** The one line deploy prints when a replayed column does not survive the wire unchanged. */
export function roundingNote(kind: SensorKind): string {
    const step = describeStep(kind.packed)
    const format = kind.packed === kind.format ? kind.format : `${kind.format}, which DeviceScript sends as ${kind.packed}`
    return `${kind.name}: the simulated sensor rounds to ${step === "1" ? "whole numbers" : step} (${format})`
}

/** A valid range that replaces the sensor table's (--range name=min:max); `text` is the item as given, for errors. */
export interface SensorRange {
    kind: SensorKind
    min: number
    max: number
    text: string
}

/** The ranges by sensor kind; each must be one of the model's sensors. */
export function checkRanges(ranges: SensorRange[], sensors: string[]): Map<string, [number, number]> {
    const byKind = new Map<string, [number, number]>()
    for (const r of ranges) {
        if (!sensors.includes(r.kind.name)) throw new UserError(`--range ${quote(r.text)}: ${r.kind.name} is not one of the model's sensors (${sensors.join(", ")})`)
        byKind.set(r.kind.name, [r.min, r.max])
    }
    return byKind
}
