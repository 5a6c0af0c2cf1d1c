/**
 * The statistical baseline: a seasonal ARIMA fitted once on the training rows
 * by the maintained `arima` package (ctsa compiled to WebAssembly: exact
 * maximum likelihood through a Kalman filter), then run over the scored rows
 * with those coefficients, never refitted, so it sees the same past as the
 * device.
 *
 * The package's predict() forecasts only from the end of the series it was
 * fitted on, and its JS API gives no coefficients back. So the coefficients
 * are read from the fitted C object and stored in model.json (evaluate has no
 * training rows), and a small recursion runs them over the scored rows: the
 * conditional form (innovations before the first full history are 0, as R's
 * CSS does), started at the scored file's first row as the device starts from
 * zero state. A test holds that recursion to the package's own predict().
 *
 * The order is Box and Jenkins' airline model, ARIMA(0,1,1)(0,1,1)s: two
 * coefficients, a level and a season that may both drift. On the demo's rows
 * it fits where ARIMA(1,0,1)(0,1,1)24 and (1,0,1)(1,1,1)24 ended on Inf/NaN
 * in the package. Without a season it is ARIMA(0,1,1), the ARIMA form of
 * simple exponential smoothing.
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import type { SeasonalArima } from "../model/canonical.ts"
import { count } from "../core/wording.ts"

/** The fitted model (with a note when it is not the one first chosen), or why there is none, in words. */
export type StatisticalFit = { model: SeasonalArima; note?: string } | { reason: string }

export interface ArimaSpec {
    order: [number, number, number]
    seasonal: [number, number, number]
    /** 0 without a season. */
    period: number
}

const PACKAGE = "arima 0.2.8 (ctsa)"
/**
 * The exact likelihood's Kalman state holds about s + 2 numbers, and a fit
 * costs about rows x (s + 2)^2: 7,319 rows of a 24-row season (4.9e6) took
 * 1.4 s, of a 168-row season 48 s. Above this budget (about 6 s) the fit
 * takes the last rows that fit in it.
 */
const FIT_BUDGET = 2e7
/** Seasons the fit needs at the least: the package wants d + sD + max(2s, 10) rows, and two seasons after differencing estimate a seasonal coefficient poorly. */
const MIN_SEASONS = 4
/** Rows any fit needs at the least (above the package's d + sD + 10 for seasons up to 9). */
const MIN_ROWS = 20

interface ArimaHeap {
    HEAP32: Int32Array
    HEAPU32: Uint32Array
    HEAPF64: Float64Array
}
interface ArimaInstance {
    /** A pointer to the pointer to ctsa's struct sarimax_set. */
    model: number
    train(ts: number[]): ArimaInstance
    predict(rows: number): [number[], number[]]
    destroy(): void
}
type ArimaClass = new (options: Record<string, number | boolean>) => ArimaInstance

let library: { heap: ArimaHeap; ARIMA: ArimaClass } | undefined
function arima(): { heap: ArimaHeap; ARIMA: ArimaClass } {
    if (library) return library
    // the package's index builds its Emscripten module out of reach: build it from the same three files to read the fitted object
    const require = createRequire(import.meta.url)
    const dir = dirname(require.resolve("arima"))
    const heap = require(join(dir, "wasm", "native-sync.js"))({ wasmBinary: require(join(dir, "wrapper", "native.bin.js")) }) as ArimaHeap
    library = { heap, ARIMA: require(join(dir, "load.js"))(heap) as ArimaClass }
    return library
}

/** ctsa's struct sarimax_set in 32-bit WebAssembly: 14 ints (N, Nused, method, optmethod, p, d, q, s, P, D, Q, r, M, ncoeff), then pointers. */
const FIELD = { N: 0, p: 4, d: 5, q: 6, s: 7, P: 8, D: 9, Q: 10 } as const
const PHI_POINTER_BYTE = 56
const MEAN_BYTE = 88
const VARIANCE_BYTE = 96
const RETVAL_BYTE = 120
/** ctsa's "probable success"; 4 is no convergence, 15 Inf/NaN on the way. */
const CONVERGED = 1
/**
 * ctsa's optimizers, tried in this order until one converges: its default
 * (L-BFGS) ends on Inf/NaN on some smooth series where BFGS converges.
 */
export const OPTIMIZERS = [
    { code: 6, name: "L-BFGS" },
    { code: 5, name: "BFGS" },
    { code: 0, name: "Nelder-Mead" },
] as const

/**
 * Fits `spec` on `series` with the package and reads its coefficients; also
 * the package's own forecast of the `ahead` rows after the series (tests hold
 * the recursion to it).
 */
export function fitArima(series: number[], spec: ArimaSpec, ahead = 0, optimizer: (typeof OPTIMIZERS)[number] = OPTIMIZERS[0]): { model: SeasonalArima; forecast: number[] } | { reason: string } {
    const [p, d, q] = spec.order
    const [P, D, Q] = spec.seasonal
    const { heap, ARIMA } = arima()
    const fit = new ARIMA({ p, d, q, P, D, Q, s: spec.period, method: 0, optimizer: optimizer.code, verbose: false })
    try {
        try {
            fit.train(series)
        } catch (e) {
            // the package refuses short series in JS, and ctsa's exit() on bad input arrives as a throw: train goes on without a baseline
            return { reason: `${PACKAGE} failed on ${describeArima(spec)}: ${e instanceof Error ? e.message : String(e)}` }
        }
        const obj = heap.HEAPU32[fit.model >> 2]
        const int = (i: number) => heap.HEAP32[(obj >> 2) + i]
        const dbl = (byte: number) => heap.HEAPF64[(obj + byte) >> 3]
        const vector = (k: number, n: number) => Array.from(heap.HEAPF64.subarray(heap.HEAPU32[(obj + PHI_POINTER_BYTE + 4 * k) >> 2] >> 3).subarray(0, n))
        const expected = { N: series.length, p, d, q, s: spec.period, P, D, Q }
        if (Object.entries(FIELD).some(([k, i]) => int(i) !== expected[k as keyof typeof FIELD])) return { reason: `the fitted object of ${PACKAGE} does not read as ctsa's sarimax_set (was the package updated?)` }
        const retval = heap.HEAP32[(obj + RETVAL_BYTE) >> 2]
        const variance = dbl(VARIANCE_BYTE)
        // ctsa writes the moving-average part as 1 - theta B (Box and Jenkins); the stored model uses 1 + theta B (R, statsmodels)
        const model: SeasonalArima = {
            kind: "arima",
            order: [p, d, q],
            seasonal: [P, D, Q],
            period: spec.period,
            ar: vector(0, p),
            ma: vector(1, q).map(v => -v),
            seasonalAr: vector(2, P),
            seasonalMa: vector(3, Q).map(v => -v),
            mean: d === 0 && D === 0 ? dbl(MEAN_BYTE) : 0,
            variance,
            rows: series.length,
            fitter: `${PACKAGE}, exact maximum likelihood, ${optimizer.name}`,
        }
        const numbers = [...model.ar, ...model.ma, ...model.seasonalAr, ...model.seasonalMa, model.mean, variance]
        if (retval !== CONVERGED || !numbers.every(Number.isFinite)) return { reason: `${PACKAGE} did not converge on ${describeArima(spec)} (code ${retval} with ${optimizer.name})` }
        return { model, forecast: ahead > 0 ? fit.predict(ahead)[0] : [] }
    } finally {
        fit.destroy()
    }
}

/** How many of the last training rows the fit takes (all of them unless the season makes that too slow), or why none. */
export function fitRows(rows: number, period: number): number | { reason: string } {
    const need = Math.max(MIN_ROWS, period ? MIN_SEASONS * period + 2 : 0)
    if (rows < need) return { reason: `${describeArima(airline(period))} needs ${count(need, "training row")}, there are ${rows.toLocaleString("en-US")}` }
    const affordable = Math.floor(FIT_BUDGET / (period + 2) ** 2)
    if (affordable < need) return { reason: `a season of ${period} rows makes the exact fit of ${describeArima(airline(period))} too slow` }
    return Math.min(rows, affordable)
}

/** The airline model at this season; ARIMA(0,1,1) without one (period 0). */
function airline(period: number): ArimaSpec {
    return period ? { order: [0, 1, 1], seasonal: [0, 1, 1], period } : { order: [0, 1, 1], seasonal: [0, 0, 0], period: 0 }
}

/**
 * The statistical baseline for a target with this season (null: none),
 * fitted on its training rows. When the seasonal model cannot be fitted (too
 * few rows for four seasons, a season too long, no convergence), ARIMA(0,1,1)
 * stands in, and the note says why.
 */
export function fitStatistical(training: number[], period: number | null): StatisticalFit {
    const seasonal = fitAirline(training, period ?? 0)
    if (!period || "model" in seasonal) return seasonal
    const plain = fitAirline(training, 0)
    if ("model" in plain) return { model: plain.model, note: `${seasonal.reason}: ARIMA(0,1,1), without the season, stands in` }
    return { reason: `${seasonal.reason}; ${plain.reason}` }
}

/** The airline model at this season (0: ARIMA(0,1,1)) on as many of the last rows as the budget allows, with each optimizer until one converges. */
function fitAirline(training: number[], period: number): { model: SeasonalArima } | { reason: string } {
    const rows = fitRows(training.length, period)
    if (typeof rows !== "number") return rows
    const reasons: string[] = []
    for (const optimizer of OPTIMIZERS) {
        const fit = fitArima(training.slice(-rows), airline(period), 0, optimizer)
        if ("model" in fit) return { model: fit.model }
        reasons.push(fit.reason)
    }
    return { reason: reasons.join("; ") }
}

/** "seasonal ARIMA(0,1,1)(0,1,1)24", or "ARIMA(0,1,1)" without a season. */
export function describeArima(m: ArimaSpec): string {
    return m.period ? `seasonal ARIMA(${m.order})(${m.seasonal})${m.period}` : `ARIMA(${m.order})`
}

/** The table's label: what the model is and what it was fitted on. */
export function arimaLabel(m: SeasonalArima): string {
    return `${describeArima(m)}, fitted once on ${count(m.rows, "training row")}`
}
