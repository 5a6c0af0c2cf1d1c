/**
 * A seasonal ARIMA's forecasts over a series, with fixed coefficients (train
 * fits them, train/statistical.ts): the conditional form, streamed from the
 * series' first row as a device starts from zero state. Evaluate's
 * statistical baseline, and the float64 oracle of the device's statistical
 * input (src/features.ts).
 */
import type { SeasonalArima } from "./canonical.ts"

/** Polynomial product; index i is the coefficient of B^i. */
function multiply(a: number[], b: number[]): number[] {
    const c = new Array<number>(a.length + b.length - 1).fill(0)
    a.forEach((x, i) => b.forEach((y, j) => (c[i + j] += x * y)))
    return c
}

/** 1 + sign * sum c[i] B^((i+1) * step). */
function lagPolynomial(c: number[], step: number, sign: number): number[] {
    const poly = new Array<number>(c.length * step + 1).fill(0)
    poly[0] = 1
    c.forEach((v, i) => (poly[(i + 1) * step] = sign * v))
    return poly
}

/**
 * The model as one difference equation on x = y - mean:
 * x[t] = sum a[k] x[t - k] + e[t] + sum m[j] e[t - j], k, j from 1.
 */
export function expand(m: SeasonalArima): { a: number[]; ma: number[] } {
    const [, d] = m.order
    const [, D] = m.seasonal
    let ar = multiply(lagPolynomial(m.ar, 1, -1), lagPolynomial(m.seasonalAr, m.period, -1))
    for (let i = 0; i < d; i++) ar = multiply(ar, [1, -1])
    for (let i = 0; i < D; i++) ar = multiply(ar, lagPolynomial([1], m.period, -1))
    return { a: ar.map(v => -v), ma: multiply(lagPolynomial(m.ma, 1, 1), lagPolynomial(m.seasonalMa, m.period, 1)) }
}

/** The first row that can make a forecast: every lag of the difference equation must reach a row of the file. */
export function firstOrigin(m: SeasonalArima): number {
    return Math.max(0, expand(m).a.length - 2)
}

/**
 * predictions[t] forecasts series[t + horizon] from rows 0..t only, streamed
 * from the file's first row, at every row from firstOrigin on (the last rows
 * too: a forecast needs no row after t); NaN before.
 */
export function arimaForecasts(m: SeasonalArima, series: number[], horizon: number): number[] {
    const { a, ma } = expand(m)
    const K = a.length - 1
    const n = series.length
    const x = series.map(v => v - m.mean)
    const e = new Float64Array(n)
    const ahead = new Float64Array(horizon + 1)
    const predictions = new Array<number>(n).fill(NaN)
    for (let t = 0; t < n; t++) {
        // the innovation at t: before a full history, none is known (conditional sum of squares)
        if (t >= K) {
            let f = 0
            for (let k = 1; k <= K; k++) f += a[k] * x[t - k]
            for (let j = 1; j < ma.length && j <= t; j++) f += ma[j] * e[t - j]
            e[t] = x[t] - f
        }
        if (t < K - 1) continue
        // rows t + 1 .. t + horizon, each from the ones before it; innovations after t are 0
        for (let i = 1; i <= horizon; i++) {
            let f = 0
            for (let k = 1; k <= K; k++) f += a[k] * (k >= i ? x[t + i - k] : ahead[i - k])
            for (let j = i; j < ma.length && j <= t + i; j++) f += ma[j] * e[t + i - j]
            ahead[i] = f
        }
        predictions[t] = ahead[horizon] + m.mean
    }
    return predictions
}

/** The device's form (src/arima.ts Arima): the difference equation's degree and its nonzero lags and coefficients, lowest lag first. */
export function sparseArima(m: SeasonalArima): { mean: number; arDegree: number; arLags: number[]; ar: number[]; maLags: number[]; ma: number[] } {
    const { a, ma } = expand(m)
    const nonzero = (c: number[]) => c.map((v, k) => ({ v, k })).filter(({ v, k }) => k > 0 && v !== 0)
    return { mean: m.mean, arDegree: a.length - 1, arLags: nonzero(a).map(c => c.k), ar: nonzero(a).map(c => c.v), maLags: nonzero(ma).map(c => c.k), ma: nonzero(ma).map(c => c.v) }
}
