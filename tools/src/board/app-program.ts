/**
 * The generated main program of the device app: it imports the emitted model
 * module and calls startApp (src/app.ts) with the sensor mapping, rate and
 * anomaly settings. For the simulator it can also host sensor servers that
 * replay CSV rows, so the app reads them through the same Jacdac roles a
 * board uses.
 */
import type { CanonicalModel } from "../model/canonical.ts"
import { readingCount } from "../model/features.ts"
import { outputHorizons } from "../model/horizons.ts"
import { type SensorKind, parseSensor, sensorKind } from "./sensors.ts"
import { wireError } from "./wire.ts"
import { UserError, quote } from "../core/errors.ts"

export interface AppOptions {
    /** Sensor kind per reading (the model's inputs before the derived ones; sensors.ts); from --sensors or the model's inputNames. */
    features: string[]
    /** Valid ranges that replace the table's (--range), by sensor kind. */
    ranges?: Map<string, [number, number]>
    periodMs: number
    /** The model's calendar inputs (day, week, year), which need `startMs`. */
    calendar?: string[]
    /** UTC ms of the first sample (--start; deploy --simulator: the CSV's first time): the app's clock for calendar inputs. */
    startMs?: number
    /** Per output, the sensor kind it forecasts (anomaly flag), or null. */
    targets: (string | null)[]
    threshold: number
    steps: number
    stepAsync: boolean
    /** Save the model state to settings every N predictions and restore it at start (0 or absent: off). */
    saveEvery?: number
    /** A sensor whose reading repeats this many times in a row is reported stuck and not stepped (0 or absent: off). */
    stuckSamples?: number
    /**
     * Publish predictions on the "dsrnn predictor" custom service. Costs about
     * 5 KB of image: off by default for boards (appSource) until the image
     * budget (APP_CODE_BYTES) allows it, on by default in the simulator.
     */
    publish?: boolean
}

/** The feature feeding each input: --sensors (`sensors`) wins over the model's inputNames. */
export function resolveFeatures(model: CanonicalModel, sensors?: SensorKind[]): string[] {
    const names = sensors?.map(k => k.name) ?? model.inputNames
    const readings = readingCount(model)
    if (!names) throw new UserError(`the model has no inputNames; say which sensor feeds each of its ${readings} readings with --sensors, e.g. --sensors temperature,humidity,pressure`)
    const what = sensors ? "--sensors" : "the model's inputNames"
    if (names.length !== readings) throw new UserError(`${what} names ${names.length} sensors, the model takes ${readings} readings`)
    const features = sensors ? names : names.map(n => parseSensor(n, what, true).name)
    const twice = features.find((f, j) => features.indexOf(f) !== j)
    if (twice) throw new UserError(`${what} names ${twice} twice: the app cannot tell two ${twice} sensors apart, so one input per sensor kind`)
    return features
}

/** What --predicts says of one output: the sensor it forecasts, or null ("-"); `text` is the name as given, for errors. */
export interface Forecast {
    kind: SensorKind | null
    text: string
}

/**
 * Per output, the forecast feature (--predicts: `predicts`), checked against
 * the inputs. Without the flag, a model from `dsrnn train` that forecasts one
 * of its own inputs one row ahead names it in its outputNames.
 */
export function resolveTargets(model: CanonicalModel, features: string[], predicts?: Forecast[]): (string | null)[] {
    if (predicts === undefined)
        return Array.from({ length: model.outputSize }, (_, j) => {
            const k = model.inputNames?.indexOf(model.outputNames?.[j] ?? "") ?? -1
            return k >= 0 && outputHorizons(model)[j] === 1 ? features[k] : null
        })
    if (predicts.length !== model.outputSize) throw new UserError(`--predicts names ${predicts.length} features, the model has ${model.outputSize} outputs`)
    return predicts.map(({ kind, text }) => {
        if (kind === null) return null
        if (!features.includes(kind.name)) throw new UserError(`--predicts: ${quote(text)} is not one of the model's inputs (${features.join(", ")}), so there is no next observation to compare with`)
        return kind.name
    })
}

const list = (v: number[]) => `[${v.join(", ")}]`

/** The valid range of a sensor kind: --range, else the table's. */
export function validRange(opts: AppOptions, kind: SensorKind): [number, number] {
    return opts.ranges?.get(kind.name) ?? [kind.min, kind.max]
}

/**
 * The anomaly threshold the app uses: the one asked for, widened by the
 * most a forecast sensor's wire format can move a reading, so that the
 * rounding alone never sets the flag. `simulated`: the format the simulated
 * sensors send (sensors.ts `packed`), else the sensor's own.
 */
export function deviceThreshold(opts: AppOptions, simulated: boolean): number {
    if (!(opts.threshold > 0)) return opts.threshold
    const errors = opts.targets.map(t => (t === null ? 0 : wireError(simulated ? sensorKind(t).packed : sensorKind(t).format)))
    return opts.threshold + Math.max(0, ...errors)
}

/**
 * DeviceScript source for reading `features` (sensor kinds): one client per
 * sensor class, created once (`declarations`), and per input the client's
 * reading register and the value's index in it (`readings`, `fields`: the
 * arrays AppConfig takes).
 */
export function clientSource(features: string[]): { declarations: string; readings: string; fields: string } {
    const kinds = features.map(sensorKind)
    const variable = (k: SensorKind) => `${k.client[0].toLowerCase()}${k.client.slice(1)}Client`
    const used = [...new Set(kinds.map(k => k.client))]
    return {
        declarations: used.map(c => `const ${variable(kinds.find(k => k.client === c)!)} = new ds.${c}()`).join("\n"),
        readings: `[${kinds.map(k => `${variable(k)}.reading`).join(", ")}]`,
        fields: list(kinds.map(k => k.field)),
    }
}

// Spelled out in full: the DeviceScript compiler has no shorthand properties.
function configSource(opts: AppOptions, simulated: boolean): string {
    if (opts.calendar?.length && opts.startMs === undefined)
        throw new UserError(`the model has calendar inputs (${opts.calendar.join(", ")}) and a board has no calendar clock: give the UTC time of the first sample with --start, e.g. --start 2024-03-01T06:00Z`)
    const kinds = opts.features.map(sensorKind)
    const { readings, fields } = clientSource(opts.features)
    return `{
    names: [${opts.features.map(f => JSON.stringify(f)).join(", ")}],
    readings: ${readings},
    fields: ${fields},
    min: ${list(kinds.map(k => validRange(opts, k)[0]))},
    max: ${list(kinds.map(k => validRange(opts, k)[1]))},
    periodMs: ${opts.periodMs},${opts.startMs !== undefined ? `
    startMs: ${opts.startMs},` : ""}
    targets: ${list(opts.targets.map(f => (f === null ? -1 : opts.features.indexOf(f))))},
    threshold: ${deviceThreshold(opts, simulated)},
    stepAsync: ${opts.stepAsync},
    steps: ${opts.steps},
    stuckSamples: ${opts.stuckSamples ?? 0},
    saveEvery: ${opts.saveEvery ?? 0},${opts.saveEvery ? `
    saveState: saveState,
    restoreState: restoreState,` : ""}
    server: server,
    inputMean: inputMean,
    inputStd: inputStd,
    outputMean: outputMean,
    outputStd: outputStd,
    residual: residual,
    derived: derived,`
}

/** main.ts of the app for a board; `library` is the import path of src/. */
export function appSource(opts: AppOptions, library: string): string {
    const publish = opts.publish !== false
    return `// Generated by dsrnn: the sensor app around ./model. Do not edit.
import * as ds from "@devicescript/core"
${publish ? `import { startServer } from "@devicescript/server"\n` : ""}${appImports(opts, library)}
import { derived, inputMean, inputStd, model, outputMean, outputStd, residual } from "./model"

${clientSource(opts.features).declarations}
${publish ? SERVER : NO_SERVER}

await startApp(model, ${configSource(opts, false)}
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

/**
 * main.ts for the simulator: the app plus one sensor server per sensor,
 * replaying `rows` (one column per input). The app's onSample moves the servers
 * to the next row, and the servers stream every 100 ms, so a period of a few
 * hundred ms reads each row exactly once.
 */
export function simulatorSource(opts: AppOptions, library: string, rows: number[][]): string {
    const publish = opts.publish !== false
    const kinds = opts.features.map(sensorKind)
    const servers = [...new Set(kinds.map(k => k.client))].map(client => {
        const mine = kinds.filter(k => k.client === client)
        // the column of each value of the reading; -1 for a value the model does not read
        const cols = Array.from({ length: mine[0].fields }, (_, i) => kinds.findIndex(k => k.client === client && Math.max(k.field, 0) === i))
        return `startServer(new Feed(ds.${client}.spec, [${cols.join(", ")}]))`
    })
    return `// Generated by dsrnn: the sensor app with simulated sensors replaying CSV rows. Do not edit.
import * as ds from "@devicescript/core"
import { SensorServer, startServer } from "@devicescript/server"
${appImports(opts, library)}
import { derived, inputMean, inputStd, model, outputMean, outputStd, residual } from "./model"

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
${clientSource(opts.features).declarations}
${publish ? SERVER : NO_SERVER}

await startApp(model, ${configSource(opts, true)}
    onSample: () => {
        row++
    },
})
`
}
