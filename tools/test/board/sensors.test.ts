/**
 * The sensor table (tools/src/board/sensor-kinds.g.ts) against its sources:
 * the Jacdac service specs in the @devicescript/cli bundle, read here on
 * their own, and the DeviceScript VM, which packs every kind's reading as a
 * simulated sensor does. Then the host's uses of it: the "not a sensor"
 * error, --range, the rounding note and the anomaly margin.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { runInNewContext } from "node:vm"
import { describe, expect, it } from "vitest"
import { SENSOR_KINDS, checkRanges, roundingNote, sensorHelp, sensorKind } from "../../src/board/sensors.ts"
import { onTheWire } from "../../src/board/wire.ts"
import { type AppOptions, deviceThreshold, resolveFeatures as checkFeatures } from "../../src/board/app-program.ts"
import { parseRanges as parseRangeFlags, parseSensors } from "../../src/cli/app-options.ts"
import { replayRows } from "../../src/board/deploy.ts"
import { UserError } from "../../src/core/errors.ts"
import { runProgram } from "../../src/run/vm.ts"
import { Workspace } from "../../src/run/workspace.ts"
import { weatherModel } from "../helpers/app-vm.ts"
import { loadSpecs, sensorKinds } from "../../scripts/gen-sensors.ts"

interface Field { name: string; type: string; unit?: string; absoluteMin?: number; absoluteMax?: number; typicalMin?: number; typicalMax?: number }
interface Service { camelName: string; status: string; extends: string[]; packets: { kind: string; identifier: number; packFormat?: string; fields: Field[] }[] }

function specs(): Service[] {
    const bundle = readFileSync(createRequire(import.meta.url).resolve("@devicescript/cli/built/devicescript-cli.cjs"), "utf8")
    const m = /\nvar services_default = (\[\{ name: "Common registers and commands"[\s\S]*?\}\]);\n/.exec(bundle)
    if (!m) throw new Error("no service specs in the devs bundle")
    return runInNewContext(m[1], Object.create(null))
}

/** What a value of `type` can be on the wire, worked out from the type's name. */
function wire(type: string): [number, number] {
    if (type === "f64") return [-Number.MAX_VALUE, Number.MAX_VALUE]
    const [, sign, a, b = "0"] = /^([ui])(\d+)(?:\.(\d+))?$/.exec(type)!
    const bits = +a + +b
    return sign === "u" ? [0, (2 ** bits - 1) / 2 ** +b] : [-(2 ** (bits - 1)) / 2 ** +b, (2 ** (bits - 1) - 1) / 2 ** +b]
}

describe("the sensor table", () => {
    it("is what tools/scripts/gen-sensors.ts makes of the installed specs (rerun it after a @devicescript/cli upgrade)", () => {
        expect(SENSOR_KINDS).toEqual(sensorKinds(loadSpecs()))
    })

    it("has every numeric value of every DeviceScript sensor reading, with its spec range where the spec has one", () => {
        const want = new Map<string, Field>()
        for (const s of specs()) {
            const reading = s.packets.find(p => p.kind === "ro" && p.identifier === 257)
            if (!s.extends.includes("_sensor") || s.status === "deprecated" || !reading || reading.packFormat?.startsWith("r:")) continue
            const client = s.camelName[0].toUpperCase() + s.camelName.slice(1)
            reading.fields.forEach((f, i) => {
                if (/^([ui]\d+(\.\d+)?|f64)$/.test(f.type)) want.set(`${client}.${reading.fields.length > 1 ? i : -1}`, f)
            })
        }
        // devs 2.16.4 cannot compile ds.ECO2 ("no such service: ECO2"), so eCO2 has no client to read
        want.delete("ECO2.-1")
        expect(new Set(SENSOR_KINDS.map(k => `${k.client}.${k.field}`))).toEqual(new Set(want.keys()))
        for (const name of ["light_level", "illuminance", "sound_level", "soil_moisture", "distance", "tvoc", "air_quality_index", "uv_index", "wind_speed", "wind_direction", "rain_gauge", "voltage", "current", "weight_scale", "heart_rate", "potentiometer", "temperature", "humidity", "pressure", "accel_x", "magnetometer_x", "gyroscope_x", "water_level", "flex", "reflected_light"])
            expect(SENSOR_KINDS.map(k => k.name)).toContain(name)
        for (const k of SENSOR_KINDS) {
            const f = want.get(`${k.client}.${k.field}`)!
            expect(k.format, k.name).toBe(f.type)
            const [lo, hi] = wire(f.type)
            const plausible: Record<string, [number, number]> = { temperature: [-40, 85], accel_x: [-16, 16], accel_y: [-16, 16], accel_z: [-16, 16] }
            const min = f.absoluteMin ?? f.typicalMin ?? (f.unit === "/" ? (f.type[0] === "i" ? -1 : 0) : f.unit?.startsWith("%") ? 0 : (plausible[k.name]?.[0] ?? lo))
            const max = f.absoluteMax ?? f.typicalMax ?? (f.unit === "/" ? 1 : f.unit?.startsWith("%") ? 100 : (plausible[k.name]?.[1] ?? hi))
            expect([k.min, k.max], k.name).toEqual([min, max])
            if (f.absoluteMin !== undefined && f.absoluteMax !== undefined) expect(k.range).toBe("spec absolute")
            if (f.absoluteMin === undefined && f.absoluteMax === undefined && f.typicalMin !== undefined && f.typicalMax !== undefined) expect(k.range).toBe("spec typical")
        }
        expect(sensorKind("pressure")).toMatchObject({ client: "AirPressure", min: 150, max: 1150, range: "spec typical" })
        expect(sensorKind("tvoc")).toMatchObject({ min: 0, max: 1187, range: "min spec absolute, max spec typical" })
    })

    it("rounds every kind as DeviceScript's own packing does, in the VM (clients that exist, with a reading)", async () => {
        const values = [0.3, -0.25, 0.75, 2.71828, 1000.5, -3e9, 5e9]
        const calls = SENSOR_KINDS.map(k => `show("${k.name}", ds.${k.client}.spec, ${k.fields}, ${k.field}, new ds.${k.client}().reading)`)
        const main = `import * as ds from "@devicescript/core"
const VALUES = [${values.join(", ")}]
const out = Buffer.alloc(8)
function show(name: string, spec: ds.ServiceSpec, fields: number, field: number, reading: ds.Register<any>) {
    let line = name
    for (const v of VALUES) {
        const arr: number[] = []
        for (let i = 0; i < fields; i++) arr.push(i === field ? v : 0)
        const d = spec.lookup("reading").encode(field < 0 ? v : arr).decode()
        out.setAt(0, "f64", field < 0 ? d : d[field])
        line += " " + out.toString("hex")
    }
    console.log(line)
}
${calls.join("\n")}
console.log("done")
`
        const ws = new Workspace()
        let lines: string[]
        try {
            ws.write("main.ts", main)
            lines = (await runProgram((await ws.build("main.ts")).binary, { timeoutMs: 30_000, done: l => l === "done" })).lines
        } finally {
            ws.dispose()
        }
        const got = new Map(lines.filter(l => l !== "done").map(l => [l.split(" ")[0], l.split(" ").slice(1).map(h => Buffer.from(h, "hex").readDoubleLE(0))]))
        for (const k of SENSOR_KINDS) expect(values.map(v => onTheWire(v, k.packed)), `${k.name} (${k.packed})`).toEqual(got.get(k.name))
        // by hand: i22.10 stores trunc(v * 1024 + 0.5), so -0.25 arrives as -255/1024
        expect(got.get("temperature")!.slice(0, 2)).toEqual([307 / 1024, -255 / 1024])
    })
})

/** The model's features as build resolves them: --sensors parsed (cli/), then checked against the model (board/). */
const resolveFeatures = (model: typeof weatherModel, sensorsFlag?: string) => checkFeatures(model, sensorsFlag === undefined ? undefined : parseSensors(sensorsFlag))
/** --range as build takes it: parsed (cli/), then checked against the model's sensors (board/). */
const parseRanges = (values: string[], sensors: string[]) => checkRanges(parseRangeFlags(values), sensors)

describe("the host's use of the table", () => {
    it("a column that is no sensor: one line naming --sensors, the own-code path and the kinds", () => {
        const model = { ...weatherModel, inputNames: ["temperature", "x_pole_arcsec", "pressure"] }
        let message = ""
        try {
            resolveFeatures(model)
        } catch (e) {
            expect(e).toBeInstanceOf(UserError)
            message = (e as Error).message
        }
        expect(message).not.toContain("\n")
        expect(message.length).toBeLessThanOrEqual(300)
        expect(message).toBe(`the model's inputNames: "x_pole_arcsec" is not a sensor; map it with --sensors or feed it from your own code (README: Inputs that are not sensors). Sensors: temperature, humidity, pressure, light_level, soil_moisture, accel_x, ... (all ${SENSOR_KINDS.length}: dsrnn build --help)`)
        // where the message sends the user: every kind, one per name
        const help = sensorHelp()
        for (const k of SENSOR_KINDS) expect(help.split(/[\s,:]+/)).toContain(k.name)
        expect(resolveFeatures(model, "temp, Soil-Moisture,air_pressure")).toEqual(["temperature", "soil_moisture", "pressure"])
        expect(() => resolveFeatures(model, "temperature,light_level,temp")).toThrow("--sensors names temperature twice: the app cannot tell two temperature sensors apart, so one input per sensor kind")
    })

    it("--range replaces a model sensor's range; a bad one is a one-line error", () => {
        const sensors = ["light_level", "temperature"]
        expect([...parseRanges(["light_level=0:0.25", "temp=-50.5:150"], sensors)]).toEqual([["light_level", [0, 0.25]], ["temperature", [-50.5, 150]]])
        expect([...parseRanges(["light_level=0:0.25,temperature=1:2"], sensors)]).toEqual([["light_level", [0, 0.25]], ["temperature", [1, 2]]])
        expect(() => parseRanges(["humidity=0:1"], sensors)).toThrow('--range "humidity=0:1": humidity is not one of the model\'s sensors (light_level, temperature)')
        expect(() => parseRanges(["light_level=1:0"], sensors)).toThrow("min and max must be numbers with min < max")
        expect(() => parseRanges(["light_level"], sensors)).toThrow("expected name=min:max")
        expect(() => parseRanges(["lux=0:1"], sensors)).toThrow(/^--range: "lux" is not a sensor/)
    })

    it("a replay says once per sensor how the simulated sensor rounds, and refuses what it cannot send", () => {
        const { rows, notes } = replayRows(["temperature", "light_level", "voltage"], [[21.3, 0.5, 1.1], [-0.25, 0.25, 2.2]])
        expect(rows).toEqual([[21811 / 1024, 0.5, 1.1], [-255 / 1024, 0.25, 2.2]])
        expect(notes).toEqual(["temperature: the simulated sensor rounds to 1/1024 (i22.10)"])
        expect(replayRows(["accel_x"], [[0.3]]).notes).toEqual(["accel_x: the simulated sensor rounds to 1/16 (i12.20, which DeviceScript sends as i28.4)"])
        expect(roundingNote(sensorKind("wind_direction"))).toBe("wind_direction: the simulated sensor rounds to whole numbers (u16)")
        expect(replayRows(["light_level"], [[0.5]]).notes).toEqual([])
        expect(() => replayRows(["light_level"], [[0.5], [21.3]])).toThrow("row 2: light_level=21.3 is more than its simulated sensor can send (u0.16: 0 to 0.9999847412109375); is it the right column for light_level?")
    })

    it("widens the anomaly threshold by the most the wire moves a forecast reading", () => {
        const opts: AppOptions = { features: ["temperature", "light_level"], periodMs: 1, targets: ["temperature", null], threshold: 0.5, steps: 1, stepAsync: false }
        // i22.10 moves a negative reading up by almost 1/1024, a positive one by at most 1/2048
        expect(deviceThreshold(opts, false)).toBe(0.5 + 1 / 1024)
        expect(deviceThreshold({ ...opts, targets: [null, "light_level"] }, false)).toBe(0.5 + 1 / 131072)
        expect(deviceThreshold({ ...opts, features: ["accel_x"], targets: ["accel_x"] }, true)).toBe(0.5 + 1 / 16)
        expect(deviceThreshold({ ...opts, threshold: 0 }, true)).toBe(0)
    })
})
