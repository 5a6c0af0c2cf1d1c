/**
 * The flags of build, bundle, flash and deploy, turned into the typed
 * BuildOptions the board stage takes: every string is parsed and checked
 * here, so board/ sees only boards, sensor kinds and numbers. What depends
 * on the model (how many sensors, which ones it reads) is prepareApp's.
 */
import type { Forecast } from "../board/app-program.ts"
import type { BuildOptions } from "../board/app-build.ts"
import { getBoard } from "../board/boards.ts"
import { type SensorKind, type SensorRange, parseSensor } from "../board/sensors.ts"
import { UserError, quote } from "../core/errors.ts"
import type { SpecializeMode, UnrollMode } from "../emit/plan.ts"
import { parseDecimal } from "../io/csv.ts"
import { parseTimestamp } from "../io/times.ts"
import type { Encoding } from "../model/quantize.ts"

/** The flags as commander gives them (board-commands.ts appOptions). */
export interface AppFlags {
    board: string
    weights: Encoding
    sensors?: string
    /** --range name=min:max, repeatable: valid ranges instead of the sensor table's. */
    range?: string[]
    predicts?: string
    anomaly?: string
    period: string
    /** --start: UTC time of the first sample (ISO 8601), for calendar inputs. */
    start?: string
    sync?: boolean
    /** --save-every: persist the model state every N predictions (0 = off). */
    saveEvery?: string
    /** --stuck: readings alike in a row that make a sensor stuck (0 = off). */
    stuck?: string
    /** --no-publish turns the "dsrnn predictor" custom service off. */
    publish?: boolean
    specialize?: SpecializeMode
    unroll?: UnrollMode
}

/** A flag's value as a number at least 0 (a whole one with `integer`). */
export function nonNegative(value: string, flag: string, integer: boolean): number {
    const v = parseDecimal(value.trim())
    if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) throw new UserError(`${flag} must be a non-negative ${integer ? "integer" : "number"}, got ${quote(value)}`)
    return v
}

/** --sensors kind,kind,...: the sensor of each model reading, in order. */
export function parseSensors(flag: string): SensorKind[] {
    return flag.split(",").map(n => parseSensor(n, "--sensors", true))
}

/** --range name=min:max, repeatable or comma-separated. */
export function parseRanges(values: string[]): SensorRange[] {
    return values
        .flatMap(v => v.split(","))
        .map(text => {
            const m = /^([^=]+)=([^:]+):(.+)$/.exec(text.trim())
            if (!m) throw new UserError(`--range ${quote(text)}: expected name=min:max, e.g. --range temperature=-50:150`)
            const kind = parseSensor(m[1], "--range")
            const [min, max] = [parseDecimal(m[2].trim()), parseDecimal(m[3].trim())]
            if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) throw new UserError(`--range ${quote(text)}: min and max must be numbers with min < max`)
            return { kind, min, max, text }
        })
}

/** --predicts kind,-,...: per output, the sensor it forecasts, or "-" for none. */
export function parsePredicts(flag: string): Forecast[] {
    return flag.split(",").map(text => ({ kind: text.trim() === "-" ? null : parseSensor(text, "--predicts"), text }))
}

export function buildOptions(flags: AppFlags): BuildOptions {
    const board = getBoard(flags.board)
    const sensors = flags.sensors === undefined ? undefined : parseSensors(flags.sensors)
    const ranges = parseRanges(flags.range ?? [])
    const predicts = flags.predicts === undefined ? undefined : parsePredicts(flags.predicts)
    const anomaly = flags.anomaly === undefined ? undefined : nonNegative(flags.anomaly, "--anomaly", false)
    const periodMs = nonNegative(flags.period, "--period", true)
    if (periodMs < 1) throw new UserError("--period must be at least 1 ms")
    const saveEvery = nonNegative(flags.saveEvery ?? "0", "--save-every", true)
    const stuckSamples = nonNegative(flags.stuck ?? "0", "--stuck", true)
    if (stuckSamples === 1) throw new UserError("--stuck 1 would call every reading stuck; give at least 2 (or 0 for off)")
    const start = flags.start === undefined ? undefined : parseTimestamp(flags.start)
    if (start === null) throw new UserError(`--start must be an ISO 8601 date or time, e.g. 2024-03-01T06:00Z, got ${quote(flags.start)}`)
    return {
        board,
        encoding: flags.weights,
        sensors,
        ranges,
        predicts,
        anomaly,
        periodMs,
        startMs: start?.ms,
        sync: !!flags.sync,
        saveEvery,
        stuckSamples,
        publish: flags.publish,
        specialize: flags.specialize,
        unroll: flags.unroll,
    }
}
