/**
 * The generated main program of the device app: it imports the emitted model
 * module and calls startApp (src/app.ts) with the sensor mapping, rate and
 * anomaly settings. For the simulator it can also host sensor servers that
 * replay CSV rows, so the app reads them through the same Jacdac roles a
 * board uses.
 */
import type { CanonicalModel } from "../model/canonical.ts"
import { FEATURES, type FeatureName } from "./boards.ts"
import { UserError } from "../model/errors.ts"

export interface AppOptions {
    /** Feature per model input; from --sensors or the model's inputNames. */
    features: FeatureName[]
    periodMs: number
    /** Per output, the feature it forecasts (anomaly flag), or null. */
    targets: (FeatureName | null)[]
    threshold: number
    steps: number
    stepAsync: boolean
    /** Save the model state to settings every N predictions and restore it at start (0 or absent: off). */
    saveEvery?: number
    /**
     * Publish predictions on the "dsrnn predictor" custom service. Costs about
     * 5 KB of image: off by default for boards (appSource) until the image
     * budget (APP_CODE_BYTES) allows it, on by default in the simulator.
     */
    publish?: boolean
}

/** Plausible ranges; a reading outside is a sensor fault (°C, %RH, hPa, g). */
const RANGE: Record<FeatureName, [number, number]> = {
    temperature: [-40, 85],
    humidity: [0, 100],
    pressure: [300, 1100],
    accel_x: [-16, 16],
    accel_y: [-16, 16],
    accel_z: [-16, 16],
}

/**
 * Jacdac sends readings as fixed point: temperature i22.10, humidity and
 * pressure u22.10, acceleration i12.20. A replayed value reaches the app
 * rounded to that grid, so host-side comparisons round the same way.
 */
const FRACTION_BITS: Record<FeatureName, number> = { temperature: 10, humidity: 10, pressure: 10, accel_x: 20, accel_y: 20, accel_z: 20 }

const ALIASES: Record<string, FeatureName> = {
    temp: "temperature",
    t: "temperature",
    rh: "humidity",
    hum: "humidity",
    air_pressure: "pressure",
    press: "pressure",
    p: "pressure",
    ax: "accel_x",
    ay: "accel_y",
    az: "accel_z",
    acc_x: "accel_x",
    acc_y: "accel_y",
    acc_z: "accel_z",
}

export function parseFeature(name: string, what: string): FeatureName {
    const key = name.trim().toLowerCase().replace(/[\s-]+/g, "_")
    const f = (FEATURES as readonly string[]).includes(key) ? (key as FeatureName) : ALIASES[key]
    if (!f) throw new UserError(`${what}: "${name}" is not a sensor feature; use one of ${FEATURES.join(", ")}`)
    return f
}

/** The feature feeding each input: --sensors wins over the model's inputNames. */
export function resolveFeatures(model: CanonicalModel, sensorsFlag?: string): FeatureName[] {
    const names = sensorsFlag !== undefined ? sensorsFlag.split(",") : model.inputNames
    if (!names) throw new UserError(`the model has no inputNames; say which sensor feeds each of its ${model.inputSize} inputs with --sensors, e.g. --sensors temperature,humidity,pressure`)
    const what = sensorsFlag !== undefined ? "--sensors" : "the model's inputNames"
    if (names.length !== model.inputSize) throw new UserError(`${what} names ${names.length} sensors, the model takes ${model.inputSize} inputs`)
    return names.map(n => parseFeature(n, what))
}

/**
 * Per output, the forecast feature (--predicts), checked against the inputs.
 * Without the flag, a model from `dsrnn train` that forecasts one of its own
 * inputs one row ahead names it in its outputNames.
 */
export function resolveTargets(model: CanonicalModel, features: FeatureName[], predictsFlag?: string): (FeatureName | null)[] {
    if (predictsFlag === undefined)
        return Array.from({ length: model.outputSize }, (_, j) => {
            const k = model.inputNames?.indexOf(model.outputNames?.[j] ?? "") ?? -1
            return k >= 0 && (model.horizon ?? 1) === 1 ? features[k] : null
        })
    const names = predictsFlag.split(",")
    if (names.length !== model.outputSize) throw new UserError(`--predicts names ${names.length} features, the model has ${model.outputSize} outputs`)
    return names.map(n => {
        if (n.trim() === "-") return null
        const f = parseFeature(n, "--predicts")
        if (!features.includes(f)) throw new UserError(`--predicts: "${n}" is not one of the model's inputs (${features.join(", ")}), so there is no next observation to compare with`)
        return f
    })
}

/** A reading as the app receives it over Jacdac. */
export function onTheWire(value: number, feature: FeatureName): number {
    const scale = 2 ** FRACTION_BITS[feature]
    return Math.round(value * scale) / scale
}

const list = (v: number[]) => `[${v.join(", ")}]`

// Spelled out in full: the DeviceScript compiler has no shorthand properties.
function configSource(opts: AppOptions): string {
    const index = (f: FeatureName) => FEATURES.indexOf(f)
    return `{
    features: ${list(opts.features.map(index))},
    min: ${list(opts.features.map(f => RANGE[f][0]))},
    max: ${list(opts.features.map(f => RANGE[f][1]))},
    periodMs: ${opts.periodMs},
    targets: ${list(opts.targets.map(f => (f === null ? -1 : opts.features.indexOf(f))))},
    threshold: ${opts.threshold},
    stepAsync: ${opts.stepAsync},
    steps: ${opts.steps},
    saveEvery: ${opts.saveEvery ?? 0},${opts.saveEvery ? `
    saveState: saveState,
    restoreState: restoreState,` : ""}
    server: server,
    inputMean: inputMean,
    inputStd: inputStd,
    outputMean: outputMean,
    outputStd: outputStd,
    residual: residual,`
}

/** main.ts of the app for a board; `library` is the import path of src/. */
export function appSource(opts: AppOptions, library: string): string {
    const publish = opts.publish !== false
    return `// Generated by dsrnn: the sensor app around ./model. Do not edit.
import * as ds from "@devicescript/core"
${publish ? `import { startServer } from "@devicescript/server"\n` : ""}${appImports(opts, library)}
import { inputMean, inputStd, model, outputMean, outputStd, residual } from "./model"

${publish ? SERVER : NO_SERVER}

await startApp(model, ${configSource(opts)}
})
`
}

/**
 * Publishes predictions on the "dsrnn predictor" custom service: its spec,
 * services/dsrnnpredictor.md, must be in the project's services/ folder
 * (writeApp puts it there), which makes ds.DsrnnPredictor exist.
 */
const SERVER = `const server = new PredictorServer(ds.DsrnnPredictor.spec)
startServer(server, { roleName: "dsrnn" })`

const NO_SERVER = "const server: PredictorServer = undefined"

function appImports(opts: AppOptions, library: string): string {
    // PredictorServer is needed as a type at least; a type-only use links no code
    const app = `import { PredictorServer, startApp } from "${library}/app"`
    return opts.saveEvery ? `${app}\nimport { restoreState, saveState } from "${library}/state-store"` : app
}

const SPEC: Record<FeatureName, string> = {
    temperature: "ds.Temperature.spec",
    humidity: "ds.Humidity.spec",
    pressure: "ds.AirPressure.spec",
    accel_x: "ds.Accelerometer.spec",
    accel_y: "ds.Accelerometer.spec",
    accel_z: "ds.Accelerometer.spec",
}

/**
 * main.ts for the simulator: the app plus one sensor server per sensor,
 * replaying `rows` (one column per input). The app's onSample moves the servers
 * to the next row, and the servers stream every 100 ms, so a period of a few
 * hundred ms reads each row exactly once.
 */
export function simulatorSource(opts: AppOptions, library: string, rows: number[][]): string {
    const publish = opts.publish !== false
    const col = (f: FeatureName) => opts.features.indexOf(f)
    const servers: string[] = []
    for (const f of ["temperature", "humidity", "pressure"] as const)
        if (col(f) >= 0) servers.push(`startServer(new Feed(${SPEC[f]}, [${col(f)}]))`)
    if (opts.features.some(f => f.startsWith("accel_")))
        servers.push(`startServer(new Feed(${SPEC.accel_x}, [${col("accel_x")}, ${col("accel_y")}, ${col("accel_z")}]))`)
    return `// Generated by dsrnn: the sensor app with simulated sensors replaying CSV rows. Do not edit.
import * as ds from "@devicescript/core"
import { SensorServer, startServer } from "@devicescript/server"
${appImports(opts, library)}
import { inputMean, inputStd, model, outputMean, outputStd, residual } from "./model"

const ROWS: number[][] = [
${rows.map(r => `    ${list(r)},`).join("\n")}
]
let row = 0

/** Serves columns of the current row (-1: an axis the model does not read, 0). */
class Feed extends SensorServer {
    constructor(spec: ds.ServiceSpec, private cols: number[]) {
        super(spec, { interval: 100 })
    }

    reading(): any {
        const r = ROWS[Math.min(row, ROWS.length - 1)]
        const v = this.cols.map(c => (c < 0 ? 0 : r[c]))
        return v.length === 1 ? v[0] : v
    }
}

${servers.join("\n")}
${publish ? SERVER : NO_SERVER}

await startApp(model, ${configSource(opts)}
    onSample: () => {
        row++
    },
})
`
}
