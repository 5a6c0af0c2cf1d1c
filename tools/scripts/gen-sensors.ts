/**
 * Writes tools/src/board/sensor-kinds.g.ts: one sensor kind per numeric
 * field of the reading of every Jacdac sensor service that DeviceScript has a
 * client for, with its valid range. The service specifications are the ones
 * @devicescript/cli compiles against (embedded in its bundle).
 * Run: npx tsx tools/scripts/gen-sensors.ts
 *
 * Range, per bound, from the first of: the field's absoluteMin/Max in the
 * spec; its typicalMin/Max; a ratio (unit "/") is 0..1, or -1..1 when
 * signed; a percentage is 0..100; PLAUSIBLE below; else what the wire
 * format (packFormat) can carry.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { runInNewContext } from "node:vm"
import { PACKAGE_ROOT } from "../src/run/paths.ts"
import type { SensorKind } from "../src/board/sensors.ts"
import { wireRange } from "../src/board/wire.ts"

const OUT = join(PACKAGE_ROOT, "tools", "src", "board", "sensor-kinds.g.ts")

interface Field {
    name: string
    type: string
    unit?: string
    absoluteMin?: number
    absoluteMax?: number
    typicalMin?: number
    typicalMax?: number
}
interface Packet {
    kind: string
    identifier: number
    packFormat?: string
    fields: Field[]
}
interface Service {
    shortId: string
    camelName: string
    status: string
    extends: string[]
    packets: Packet[]
}

/** The `reading` register every sensor has (Jacdac's common register code). */
const READING = 0x101

/** Kind names kept from before the table: models name their inputs so. */
const NAMES: Record<string, string> = {
    airPressure: "pressure",
    accelerometer: "accel",
    dcVoltageMeasurement: "voltage",
    dcCurrentMeasurement: "current",
}

/** Where the spec gives no range and the wire's would be no check at all. */
const PLAUSIBLE: Record<string, { min: number; max: number; why: string }> = {
    temperature: { min: -40, max: 85, why: "dsrnn: the operating range of common sensor chips" },
    accel: { min: -16, max: 16, why: "dsrnn: the widest common accelerometer range" },
}

const NUMERIC = /^([ui]\d+(\.\d+)?|f64)$/

/**
 * The format DeviceScript's own server and client pack the value with:
 * in a reading of several values it keeps the fraction bits mod 16, so
 * i12.20 travels as i28.4 and u0.16 as u16 (measured with 2.16.4;
 * tools/test/board/sensors.test.ts checks every kind against the VM).
 */
function packed(format: string, fields: number): string {
    const m = /^([ui])(\d+)\.(\d+)$/.exec(format)
    if (!m || fields === 1 || +m[3] < 16) return format
    const bits = +m[2] + +m[3]
    const fraction = +m[3] % 16
    return fraction === 0 ? `${m[1]}${bits}` : `${m[1]}${bits - fraction}.${fraction}`
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()

/** The service specifications in the @devicescript/cli bundle: a plain array literal. */
export function loadSpecs(): Service[] {
    const cli = createRequire(import.meta.url).resolve("@devicescript/cli/built/devicescript-cli.cjs")
    const bundle = readFileSync(cli, "utf8")
    const marker = "var services_default = ["
    const start = bundle.indexOf(marker)
    const end = bundle.indexOf("}];\n", start)
    if (start < 0 || end < 0) throw new Error(`no service specifications in ${cli}`)
    return runInNewContext(bundle.slice(start + marker.length - 1, end + 2), Object.create(null)) as Service[]
}

function bound(f: Field, side: "min" | "max", kind: string, wire: [number, number]): [number, string] {
    const abs = side === "min" ? f.absoluteMin : f.absoluteMax
    if (abs !== undefined) return [abs, "spec absolute"]
    const typ = side === "min" ? f.typicalMin : f.typicalMax
    if (typ !== undefined) return [typ, "spec typical"]
    if (f.unit === "/") return [side === "max" ? 1 : f.type.startsWith("i") ? -1 : 0, "ratio"]
    if (f.unit?.startsWith("%")) return [side === "min" ? 0 : 100, "percent"]
    const p = PLAUSIBLE[kind]
    if (p) return [p[side], p.why]
    return [side === "min" ? wire[0] : wire[1], `wire ${f.type}`]
}

export function sensorKinds(specs: Service[]): SensorKind[] {
    const kinds: SensorKind[] = []
    for (const s of specs) {
        if (!s.extends.includes("_sensor") || s.status === "deprecated") continue
        const reading = s.packets.find(p => p.kind === "ro" && p.identifier === READING)
        if (!reading?.packFormat || reading.packFormat.startsWith("r:")) continue
        const base = NAMES[s.camelName] ?? snake(s.camelName)
        const client = s.camelName[0].toUpperCase() + s.camelName.slice(1)
        // devs finds the service of ds.X by lowering X's first letter, unless X has
        // no lower-case letter: ds.ECO2 fails with "no such service: ECO2" (2.16.4)
        if (!/[a-z]/.test(client)) continue
        reading.fields.forEach((f, i) => {
            if (!NUMERIC.test(f.type)) return
            const multi = reading.fields.length > 1
            const suffix = multi ? `_${snake(f.name)}` : ""
            const name = base + suffix
            const wire = wireRange(f.type)
            const [min, minFrom] = bound(f, "min", base, wire)
            const [max, maxFrom] = bound(f, "max", base, wire)
            const aliases = [...new Set([snake(s.camelName) + suffix, s.shortId + suffix])].filter(a => a !== name)
            kinds.push({
                name,
                client,
                field: multi ? i : -1,
                fields: reading.fields.length,
                unit: f.unit ?? "",
                format: f.type,
                packed: packed(f.type, reading.fields.length),
                min,
                max,
                range: minFrom === maxFrom ? minFrom : `min ${minFrom}, max ${maxFrom}`,
                aliases,
            })
        })
    }
    return kinds
}

function main() {
    const cli = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@devicescript/cli/package.json"), "utf8")).version
    const kinds = sensorKinds(loadSpecs())
    const rows = kinds.map(k => `    ${JSON.stringify(k)},`).join("\n")
    writeFileSync(
        OUT,
        `// Generated by tools/scripts/gen-sensors.ts from the Jacdac service specs in @devicescript/cli ${cli}. Do not edit.
import type { SensorKind } from "./sensors.ts"

export const SENSOR_KINDS: SensorKind[] = [
${rows}
]
`
    )
    console.log(`wrote ${OUT}: ${kinds.length} sensor kinds`)
}

// run as a script; tools/test/board/sensors.test.ts imports sensorKinds to check the committed table is current
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main()
