/**
 * "The model is stale": the host's copy of the device's StaleCheck
 * (src/stale.ts) over one-step errors, and the span train calibrates on the
 * validation rows. Per row the model's and persistence's absolute errors
 * are running means over about `window` rows (weight 1 / window); the model
 * loses a row when its mean is above persistence's, and is stale while it
 * has lost `span` rows or more in a row.
 */
import type { StaleRule } from "../model/canonical.ts"

/** Rows the running means weigh: two days of hourly rows. */
export const STALE_WINDOW = 48
/** The span is this many times the longest losing run on validation, and at least the window. */
const SPAN_MARGIN = 1.5

/** Per row, how many rows in a row the model's running mean error has been above persistence's. */
function lostRuns(modelErrors: number[], persistenceErrors: number[], window: number): number[] {
    let m = 0
    let p = 0
    let lost = 0
    const a = 1 / window
    return modelErrors.map((e, i) => {
        m += a * (Math.abs(e) - m)
        p += a * (Math.abs(persistenceErrors[i]) - p)
        lost = m > p ? lost + 1 : 0
        return lost
    })
}

/** Per row, 1 while the model is stale. */
export function staleFlags(modelErrors: number[], persistenceErrors: number[], rule: StaleRule): number[] {
    return lostRuns(modelErrors, persistenceErrors, rule.window).map(l => (rule.span > 0 && l >= rule.span ? 1 : 0))
}

/** The rule for the validation rows' errors: never stale on them, with a margin. */
export function calibrateStale(modelErrors: number[], persistenceErrors: number[]): StaleRule {
    const longest = Math.max(0, ...lostRuns(modelErrors, persistenceErrors, STALE_WINDOW))
    return { window: STALE_WINDOW, span: Math.max(STALE_WINDOW, Math.ceil(SPAN_MARGIN * longest) + 1) }
}
