/**
 * The anomaly flag: |forecast - observation| above a threshold. train
 * calibrates the threshold on the validation errors of the streamed model
 * (or to a false-alarm budget: alarms.ts); the check below measures what it
 * does on held-out rows: how often it fires on clean data, and how soon it
 * catches injected events (events.ts).
 */
import type { AnomalyThreshold, CanonicalModel } from "../model/canonical.ts"
import type { Evaluation, FaultCheck, SeriesData } from "./evaluation.ts"
import { alarmCount, ruleFlags } from "./alarms.ts"
import { detect, labelledRuns, scoreEvents } from "./events.ts"
import { READING_JUMP, READING_STUCK, readingKinds } from "./reading-limits.ts"
import { rowSpacing } from "../io/times.ts"
import { staleFlags } from "./stale.ts"

/** The percentile of the absolute errors train stores as the threshold. */
export const DEFAULT_PERCENTILE = 99.5

/** The p-th percentile (0..100) with linear interpolation between order statistics. */
export function percentile(values: number[], p: number): number {
    const sorted = values.slice().sort((a, b) => a - b)
    const pos = ((sorted.length - 1) * p) / 100
    const lo = Math.floor(pos)
    const hi = Math.min(lo + 1, sorted.length - 1)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

export function calibrateThreshold(errors: number[], p = DEFAULT_PERCENTILE): AnomalyThreshold {
    return { threshold: percentile(errors.map(Math.abs), p), percentile: p }
}

/**
 * Several outputs, one score (the device's AnomalyCheck with scales): each
 * output's spread, the root mean square of its validation errors
 * (`errors[t][j]`: forecast - actual of output j at row t), stored as
 * model.json `anomaly.scales`. An output that never erred gets 1, so that
 * the device's check (scales above 0) takes it.
 */
export function outputScales(errors: number[][]): number[] {
    return errors[0].map((_, j) => Math.sqrt(errors.reduce((a, row) => a + row[j] ** 2, 0) / errors.length) || 1)
}

/**
 * Per row, the score the device compares with the threshold (the root mean
 * square of the errors each divided by its scale) and the output with the
 * largest scaled error (-1 for a row of zeros), the input it forecasts being
 * the one the flag names. The threshold is calibrated on these scores as on
 * one output's errors (calibrateThreshold, calibrateBudget).
 */
export function scaledScores(errors: number[][], scales: number[]): { scores: number[]; worst: number[] } {
    const scaled = errors.map(row => row.map((e, j) => (e / scales[j]) ** 2))
    return {
        scores: scaled.map(z => Math.sqrt(z.reduce((a, b) => a + b, 0) / z.length)),
        worst: scaled.map(z => z.reduce((w, v, j) => (v > (w < 0 ? 0 : z[w]) ? j : w), -1)),
    }
}

/**
 * Flags on the evaluated rows (device predictions when there are, else
 * float) with the model's rule (threshold and debounce) and reading limits:
 * the false alarms of clean rows; then events of each kind injected into
 * the rows and streamed through the float model (eval/events.ts).
 */
export function checkFaults(model: CanonicalModel, data: SeriesData, e: Evaluation): FaultCheck {
    const { threshold, debounce = [1, 1] } = model.anomaly!
    const predictor = e.methods.find(m => m.key === "device") ?? e.methods[0]
    const flags = ruleFlags(predictor.predictions.map((p, i) => p - e.actual[i]), threshold, debounce)
    const flaggedRows = flags.flatMap((f, i) => (f ? [i] : []))
    const rowMs = model.anomaly!.budget?.rowMs ?? (data.times && data.times.length > 1 ? rowSpacing(data.times) : undefined)
    // evaluation row i scores the reading at row start + horizon + i
    const from = e.start + e.horizon
    const check: FaultCheck = { ...model.anomaly!, rows: e.actual.length, flagged: flaggedRows.length, flaggedRows, alarms: alarmCount(flags, debounce[1]), rowMs, events: scoreEvents(model, data, from) }
    const kinds = model.readingLimits ? readingKinds(data.inputs, model.readingLimits).slice(from, from + e.actual.length) : flags.map(() => 0)
    if (model.readingLimits) check.readings = { stuck: kinds.filter(k => k & READING_STUCK).length, jump: kinds.filter(k => k & READING_JUMP).length }
    if (model.stale) {
        const persistence = e.methods.find(m => m.key === "persistence")!
        const stale = staleFlags(predictor.predictions.map((p, i) => p - e.actual[i]), persistence.predictions.map((p, i) => p - e.actual[i]), model.stale)
        const first = stale.indexOf(1)
        check.stale = { span: model.stale.span, rows: stale.filter(f => f).length, ...(first >= 0 ? { first } : {}) }
    }
    if (data.labels) {
        const labels = data.labels.slice(from, from + e.actual.length)
        const runs = labelledRuns(labels)
        const cleanFlags = flags.map((f, i) => (labels[i] ? 0 : f | kinds[i]))
        const { delays, detectedBy } = detect(runs, flags, kinds)
        check.labelled = { count: runs.length, delays, detectedBy, cleanRows: labels.filter(l => !l).length, alarms: alarmCount(cleanFlags, debounce[1]) }
    }
    return check
}
