/**
 * The files of the device app: its main.ts is tools/device/app.ts, which
 * calls startApp (src/app.ts) with the settings of a generated
 * app-params.ts (the sensor mapping, ranges, rate and anomaly settings).
 * Where the code differs (publishing, saving the state, simulated sensors
 * that replay CSV rows through the same Jacdac roles a board uses), a small
 * device module is copied in under the name app.ts imports, or its stand-in.
 */
import type { CanonicalModel } from "../model/canonical.ts"
import { readingCount } from "../model/features.ts"
import { outputHorizons } from "../model/horizons.ts"
import { type SensorKind, parseSensor, sensorKind } from "./sensors.ts"
import { wireError } from "./wire.ts"
import { UserError, quote } from "../core/errors.ts"
import { deviceSource } from "../run/workspace.ts"

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
    /** At least [0] of the last [1] readings over the threshold set the flag (train --false-alarms); absent: every reading over it. */
    debounce?: [number, number]
    steps: number
    stepAsync: boolean
    /** Save the model state to settings every N predictions and restore it at start (0 or absent: off). */
    saveEvery?: number
    /** A sensor whose reading repeats this many times in a row is reported stuck and not stepped (0 or absent: off). */
    stuckSamples?: number
    /**
     * Publish predictions on the "dsrnn predictor" custom service (about 5 KB
     * of image). On when absent.
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

/** The app's files by their names in the workspace: main.ts and the modules it imports, next to model.ts. */
export type AppFiles = Record<string, string>

const list = (v: (number | string)[]) => `[${v.join(", ")}]`

/** One setting of app-params.ts, with the comment that says what it is. */
const setting = (comment: string, name: string, value: string) => `/** ${comment} */\nexport const ${name} = ${value}\n`

/**
 * app-params.ts: one client per sensor class, created once, and every
 * setting app.ts passes to startApp. `simulated`: the threshold is widened
 * for the simulated sensors' wire format.
 */
function appParams(opts: AppOptions, simulated: boolean, extra = ""): string {
    if (opts.calendar?.length && opts.startMs === undefined)
        throw new UserError(`the model has calendar inputs (${opts.calendar.join(", ")}) and a board has no calendar clock: give the UTC time of the first sample with --start, e.g. --start 2024-03-01T06:00Z`)
    const kinds = opts.features.map(sensorKind)
    const variable = (k: SensorKind) => `${k.client[0].toLowerCase()}${k.client.slice(1)}Client`
    const clients = [...new Set(kinds.map(k => k.client))].map(c => `const ${variable(kinds.find(k => k.client === c)!)} = new ds.${c}()`)
    return [
        `// Generated by dsrnn: the sensor app's settings for this model and board, read by main.ts. Do not edit.\nimport * as ds from "@devicescript/core"\n\n${clients.join("\n")}\n`,
        setting("The sensor of each model reading, as fault messages name it.", "NAMES", list(opts.features.map(f => JSON.stringify(f)))),
        setting("Per reading, the register of the client that reads it.", "READINGS: ds.Register<any>[]", list(kinds.map(k => `${variable(k)}.reading`))),
        setting("Per reading, its index in a reading of several values (x, y, z), or -1.", "FIELDS", list(kinds.map(k => k.field))),
        setting("The valid range of each reading: outside it is a sensor fault.", "MIN", list(kinds.map(k => validRange(opts, k)[0]))) +
            `export const MAX = ${list(kinds.map(k => validRange(opts, k)[1]))}\n`,
        setting("Milliseconds between samples.", "PERIOD_MS", `${opts.periodMs}`),
        setting("UTC ms of the first sample, for calendar inputs (undefined: none).", "START_MS: number", `${opts.startMs}`),
        setting("Per output, the reading it forecasts one step ahead (-1: none), and the anomaly threshold (0: off).", "TARGETS", list(opts.targets.map(f => (f === null ? -1 : opts.features.indexOf(f))))) +
            `export const THRESHOLD = ${deviceThreshold(opts, simulated)}\n`,
        setting("At least [0] of the last [1] readings over the threshold set the flag.", "DEBOUNCE", list(opts.debounce ?? [1, 1])),
        setting("Suspend inside a step (Model.stepAsync), as the budget check chose.", "STEP_ASYNC", `${opts.stepAsync}`),
        setting("Predictions before the app stops (0: never).", "STEPS", `${opts.steps}`),
        setting("Readings alike in a row that make a sensor stuck (0: off).", "STUCK_SAMPLES", `${opts.stuckSamples ?? 0}`),
        setting("Save the model state every this many predictions (0: never).", "SAVE_EVERY", `${opts.saveEvery ?? 0}`),
        extra,
    ].join("\n").trimEnd() + "\n"
}

/**
 * The app's files but app-params.ts: main.ts, and each module it imports
 * as the app's (tools/device/app-*.ts) or its stand-in (app-no-*.ts).
 */
function appModules(opts: AppOptions, simulated: boolean): AppFiles {
    const pick = (on: boolean, name: string) => deviceSource(on ? `app-${name}.ts` : `app-no-${name}.ts`)
    return {
        "main.ts": deviceSource("app.ts"),
        "predictor.ts": pick(opts.publish !== false, "predictor"),
        "saved-state.ts": pick(!!opts.saveEvery, "saved-state"),
        "feed.ts": pick(simulated, "feed"),
    }
}

/** The app for a board. */
export function appFiles(opts: AppOptions): AppFiles {
    return { ...appModules(opts, false), "app-params.ts": appParams(opts, false) }
}

/**
 * The app for the simulator: the board's app plus one sensor server per
 * sensor class (tools/device/app-feed.ts), replaying `rows` (one column per
 * input).
 */
export function simulatorFiles(opts: AppOptions, rows: number[][]): AppFiles {
    const kinds = opts.features.map(sensorKind)
    const classes = [...new Set(kinds.map(k => k.client))]
    // per sensor class, the column of each value of its reading; -1 for a value the model does not read
    const columns = classes.map(client => {
        const mine = kinds.filter(k => k.client === client)
        return list(Array.from({ length: mine[0].fields }, (_, i) => kinds.findIndex(k => k.client === client && Math.max(k.field, 0) === i)))
    })
    const feed = [
        setting("The simulated sensors: one server per sensor class, and the row column of each value it serves (-1: 0).", "FEED_SPECS: ds.ServiceSpec[]", list(classes.map(c => `ds.${c}.spec`))) +
            `export const FEED_COLUMNS = ${list(columns)}\n`,
        setting("The rows they replay, one column per reading.", "ROWS: number[][]", `[\n${rows.map(r => `    ${list(r)},`).join("\n")}\n]`),
    ].join("\n")
    return { ...appModules(opts, true), "app-params.ts": appParams(opts, true, feed) }
}
