/**
 * Prediction intervals by split conformal prediction (Vovk et al.; Lei et
 * al. 2018): the validation rows the model never trained on give residuals
 * r = actual - forecast, and their order statistics bound the next residual.
 * Each side is a one-sided bound at (1 - coverage) / 2, so the interval need
 * not be symmetric (a sensor's errors often are not). With n residuals, the
 * upper bound is the ceil((n + 1)(1 - a/2))-th smallest and the lower the
 * floor((n + 1) a/2)-th, a = 1 - coverage: the finite-sample rank that makes
 * the coverage at least nominal when rows are exchangeable. Time series rows
 * are not, so held-out coverage is measured and printed next to the nominal.
 */
import type { PredictionInterval } from "../model/canonical.ts"
import { UserError } from "../core/errors.ts"

/** The coverage train calibrates by default. */
export const DEFAULT_COVERAGE = 0.9

const EPS = 1e-9

/** The interval per output from `residuals[j]` (actual - forecast on validation rows) at `coverage`. */
export function calibrateInterval(residuals: number[][], coverage = DEFAULT_COVERAGE): PredictionInterval {
    const a = 1 - coverage
    const bounds = residuals.map(r => {
        const sorted = r.slice().sort((x, y) => x - y)
        const n = sorted.length
        if (n === 0) throw new UserError("no validation residuals to calibrate a prediction interval on")
        // ranks beyond the sample are clamped to its extremes: too few rows for the nominal coverage;
        // EPS keeps 1 - 0.8 = 0.19999999999999996 from moving a rank that is a whole number
        const hi = Math.min(n, Math.ceil((n + 1) * (1 - a / 2) - EPS))
        const lo = Math.max(1, Math.floor((n + 1) * (a / 2) + EPS))
        return { lower: sorted[lo - 1], upper: sorted[hi - 1] }
    })
    return { coverage, lower: bounds.map(b => b.lower), upper: bounds.map(b => b.upper) }
}

/** The share of rows whose actual value lies in [forecast + lower, forecast + upper] for output j. */
export function intervalCoverage(interval: PredictionInterval, j: number, predictions: number[], actual: number[]): number {
    let inside = 0
    predictions.forEach((p, i) => {
        if (actual[i] >= p + interval.lower[j] && actual[i] <= p + interval.upper[j]) inside++
    })
    return inside / predictions.length
}
