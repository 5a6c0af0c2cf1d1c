/**
 * The derived inputs of a model (CanonicalModel.features), computed on the
 * host over a whole series at once: the float64 oracle the device's
 * streaming, fixed-state version (src/) is tested against, and what train
 * feeds the network. Formulas (docs/forecasting.md):
 *
 *   change_k[t]   = r_k[t] - r_k[t - 1]            (0 at t = 0)
 *   season_k[t]   = r_k[max(0, t - d)]             d = seasonalLag(p, h) - h
 *   seasonChange_k[t] = r_k[t] - r_k[max(0, t - L)]  L = seasonalLag(p, h)
 *   phase_c[t]    = ((time[t] + offset_c) mod T_c) / T_c
 *   calendar_c[t] = sin(2 pi phase_c[t]), cos(2 pi phase_c[t])
 *   statistical_k[t] = model.statistical's forecast of r_k[t + h] from rows 0..t
 *                      (model/arima.ts; r_k[t] until its first forecast)
 *
 * with T_c a day, a week or a mean Gregorian year (365.2425 days) in
 * milliseconds, time[t] the reading's UTC time in ms since 1970, and
 * offset_week 3 days so that a week's phase starts on Monday 00:00 (1 January
 * 1970 was a Thursday).
 */
import type { CanonicalModel, Cycle, DerivedInputs } from "./canonical.ts"
import { outputHorizons } from "./horizons.ts"
import { arimaForecasts, sparseArima } from "./arima.ts"

const DAY_MS = 86_400_000

/** Length and offset in ms of each calendar cycle. */
export const CYCLES: Record<Cycle, { ms: number; offsetMs: number }> = {
    day: { ms: DAY_MS, offsetMs: 0 },
    week: { ms: 7 * DAY_MS, offsetMs: 3 * DAY_MS },
    year: { ms: 365.2425 * DAY_MS, offsetMs: 0 },
}

/** How far back the seasonal naive forecast of y[t + h] looks from t + h: whole seasons, at least h rows, so it uses only readings seen by row t. */
export function seasonalLag(period: number, horizon: number): number {
    return period * Math.ceil(horizon / period)
}

/** Rows back from the current reading to the seasonal naive value of the row `horizon` ahead. */
export function seasonDepth(period: number, horizon: number): number {
    return seasonalLag(period, horizon) - horizon
}

/** Number of derived inputs a feature set adds to the readings. */
export function derivedCount(f: DerivedInputs | undefined): number {
    return f ? (f.change?.length ?? 0) + (f.season?.length ?? 0) + (f.seasonChange?.length ?? 0) + 2 * (f.calendar?.length ?? 0) + (f.statistical?.length ?? 0) : 0
}

/** Readings the model takes per step (the sensors or CSV columns), before the derived inputs. */
export function readingCount(model: CanonicalModel): number {
    return model.inputSize - derivedCount(model.features)
}

/** Names of the derived inputs, in network order, e.g. "temperature change", "temperature 24 rows ago", "day sin". */
export function derivedNames(model: CanonicalModel): string[] {
    const f = model.features
    if (!f) return []
    const name = (k: number) => model.inputNames?.[k] ?? `input ${k}`
    const depth = model.period ? seasonDepth(model.period, outputHorizons(model)[0]) : 0
    return [
        ...(f.change ?? []).map(k => `${name(k)} change`),
        ...(f.season ?? []).map(k => `${name(k)} ${depth} rows ago`),
        ...(f.seasonChange ?? []).map(k => `${name(k)} change over ${model.period! * Math.ceil(outputHorizons(model)[0] / model.period!)} rows`),
        ...(f.calendar ?? []).flatMap(c => [`${c} sin`, `${c} cos`]),
        ...(f.statistical ?? []).map(k => `${name(k)} ARIMA forecast`),
    ]
}

/** The phase in [0, 1) of a cycle at a UTC time in ms. */
export function cyclePhase(cycle: Cycle, timeMs: number): number {
    const { ms, offsetMs } = CYCLES[cycle]
    const r = (timeMs + offsetMs) % ms
    return (r < 0 ? r + ms : r) / ms
}

/** Index in the network's input of reading k's season input, or -1. */
export function seasonInput(model: CanonicalModel, k: number): number {
    const f = model.features
    const at = f?.season?.indexOf(k) ?? -1
    return at < 0 ? -1 : readingCount(model) + (f!.change?.length ?? 0) + at
}

/**
 * The network's raw (not yet normalized) inputs for a series of readings:
 * each row's readings followed by its derived inputs. The series starts
 * fresh, as a device does at boot. `times` (UTC ms per row) is required when
 * the model has calendar inputs.
 */
export function deriveInputs(model: CanonicalModel, readings: number[][], times?: number[]): number[][] {
    const f = model.features
    if (!f || derivedCount(f) === 0) return readings
    const cycles = f.calendar ?? []
    if (cycles.length && (!times || times.length !== readings.length)) throw new Error(`the model's calendar inputs (${cycles.join(", ")}) need one time per row`)
    const depth = f.season?.length ? seasonDepth(model.period!, outputHorizons(model)[0]) : 0
    const lag = f.seasonChange?.length ? seasonalLag(model.period!, outputHorizons(model)[0]) : 0
    const forecasts = (f.statistical ?? []).map(k => statisticalInput(model, readings.map(r => r[k])))
    return readings.map((r, t) => {
        const prev = readings[Math.max(0, t - 1)]
        const past = readings[Math.max(0, t - depth)]
        const seasonAgo = readings[Math.max(0, t - lag)]
        return [
            ...r,
            ...(f.change ?? []).map(k => r[k] - prev[k]),
            ...(f.season ?? []).map(k => past[k]),
            ...(f.seasonChange ?? []).map(k => r[k] - seasonAgo[k]),
            ...cycles.flatMap(c => {
                const a = 2 * Math.PI * cyclePhase(c, times![t])
                return [Math.sin(a), Math.cos(a)]
            }),
            ...forecasts.map(f => f[t]),
        ]
    })
}

/** The statistical input of one reading's series: the baseline's forecast of the row the model forecasts, the current reading until it has one. */
function statisticalInput(model: CanonicalModel, series: number[]): number[] {
    if (!model.statistical) throw new Error("features.statistical needs the model's statistical baseline")
    return arimaForecasts(model.statistical, series, outputHorizons(model)[0]).map((v, t) => (Number.isNaN(v) ? series[t] : v))
}

/** Index in the network's input of reading k's statistical input, or -1. */
export function statisticalInputIndex(model: CanonicalModel, k: number): number {
    const f = model.features
    const at = f?.statistical?.indexOf(k) ?? -1
    return at < 0 ? -1 : model.inputSize - f!.statistical!.length + at
}

/** Readings per season ring on the device (src/features.ts Derivation.size): the deepest look back plus the current reading; 0 without season inputs. */
export function seasonRingSize(model: CanonicalModel): number {
    const f = model.features
    if (!f?.season?.length) return 0
    const h = outputHorizons(model)[0]
    return (f.seasonChange?.length ? seasonalLag(model.period!, h) : seasonDepth(model.period!, h)) + 1
}

/** Rows per ring of the statistical input on the device (src/arima.ts Arima.size): its deepest lag plus the current row; 0 without it. */
export function statisticalRingSize(model: CanonicalModel): number {
    if (!model.features?.statistical?.length) return 0
    const a = sparseArima(model.statistical!)
    return Math.max(a.arDegree, ...a.maLags) + 1
}

/** The device's form of a model's derived inputs (src/features.ts DerivedInputs): indices, the season depth and the cycles in ms, or null. */
export function deviceFeatures(model: CanonicalModel): { change: number[] | null; season: number[] | null; depth: number; seasonChange: number[] | null; lag: number; cycleMs: number[] | null; cycleOffsetMs: number[] | null; rowMs: number; statistical?: { reading: number; horizon: number } & ReturnType<typeof sparseArima> } | null {
    const f = model.features
    if (!f || derivedCount(f) === 0) return null
    const cycles = f.calendar?.length ? f.calendar : null
    return {
        change: f.change?.length ? f.change : null,
        season: f.season?.length ? f.season : null,
        depth: f.season?.length ? seasonDepth(model.period!, outputHorizons(model)[0]) : 0,
        // the device reads a seasonal change from its reading's season ring
        seasonChange: f.seasonChange?.length ? f.seasonChange.map(k => f.season!.indexOf(k)) : null,
        lag: f.seasonChange?.length ? seasonalLag(model.period!, outputHorizons(model)[0]) : 0,
        cycleMs: cycles && cycles.map(c => CYCLES[c].ms),
        cycleOffsetMs: cycles && cycles.map(c => CYCLES[c].offsetMs),
        rowMs: f.rowMs ?? 0,
        ...(f.statistical?.length ? { statistical: { reading: f.statistical[0], horizon: outputHorizons(model)[0], ...sparseArima(model.statistical!) } } : {}),
    }
}

/** Per output, the network input residual mode adds back: the reading, or its season input when residualBase is "season". */
export function residualInputs(model: CanonicalModel): number[] | undefined {
    return model.residual?.map(k => (model.residualBase === "season" ? seasonInput(model, k) : model.residualBase === "statistical" ? statisticalInputIndex(model, k) : k))
}
