/**
 * The anomaly flag: |forecast - observation| above a threshold. train
 * calibrates the threshold on the validation errors of the streamed model;
 * the check below measures what it does on held-out rows: how often it fires
 * on clean data, and how often it catches injected faults.
 */
import type { AnomalyThreshold, CanonicalModel } from "../model/canonical.ts"
import { ReferenceModel } from "../model/reference.ts"
import type { Evaluation, FaultCheck, SeriesData } from "./evaluation.ts"
import { alarmCount, ruleFlags } from "./alarms.ts"
import { rowSpacing } from "../io/times.ts"

/** The percentile of the absolute errors train stores as the threshold. */
export const DEFAULT_PERCENTILE = 99.5
/** Injected faults: spikes of this many standard deviations of the target, every SPACING rows. */
const SPIKE_SIGMAS = 3
const SPACING = 48
/** A stuck sensor repeats its last good value for this many rows. */
const STUCK_ROWS = 12

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
 * Flags on the evaluated rows (device predictions when there are, else float),
 * then injected faults on the float model: a spike at row s is caught when
 * the forecast made for row s (from rows before it) misses the spiked value
 * by more than the threshold; a stuck sensor is caught when any of its rows
 * is flagged, with the model fed the stuck values.
 */
export function checkFaults(model: CanonicalModel, data: SeriesData, e: Evaluation): FaultCheck {
    const { threshold, debounce = [1, 1] } = model.anomaly!
    const h = e.horizon
    const predictor = e.methods.find(m => m.key === "device") ?? e.methods[0]
    const flags = ruleFlags(predictor.predictions.map((p, i) => p - e.actual[i]), threshold, debounce)
    const flaggedRows = flags.flatMap((f, i) => (f ? [i] : []))
    const rowMs = model.anomaly!.budget?.rowMs ?? (data.times && data.times.length > 1 ? rowSpacing(data.times) : undefined)
    const float = e.methods.find(m => m.key === "float")!

    const { target } = data
    const mean = target.reduce((a, b) => a + b, 0) / target.length
    const magnitude = SPIKE_SIGMAS * Math.sqrt(target.reduce((a, v) => a + (v - mean) ** 2, 0) / target.length)
    let spikes = 0
    let caught = 0
    for (let i = SPACING / 2; i < e.actual.length; i += SPACING) {
        const sign = spikes % 2 ? -1 : 1
        if (Math.abs(float.predictions[i] - (e.actual[i] + sign * magnitude)) > threshold) caught++
        spikes++
    }

    // stuck segments: the target's column (and its input, if the model reads it) repeats the last good value
    const k = model.inputNames && model.outputNames ? model.inputNames.indexOf(model.outputNames[0]) : -1
    const inputs = data.inputs.map(r => r.slice())
    const observed = target.slice()
    const segments: number[] = []
    for (let s = e.start + h + SPACING; s + STUCK_ROWS < target.length; s += 2 * SPACING) {
        segments.push(s)
        for (let r = s; r < s + STUCK_ROWS; r++) {
            observed[r] = target[s - 1]
            if (k >= 0) inputs[r][k] = target[s - 1]
        }
    }
    const stuckPred = new ReferenceModel(model).run(inputs, data.times).map(y => y[0])
    const stuckCaught = segments.filter(s => {
        for (let r = s; r < s + STUCK_ROWS; r++) if (Math.abs(stuckPred[r - h] - observed[r]) > threshold) return true
        return false
    }).length
    return {
        ...model.anomaly!,
        rows: e.actual.length,
        flagged: flaggedRows.length,
        flaggedRows,
        alarms: alarmCount(flags, debounce[1]),
        rowMs,
        spike: { count: spikes, detected: caught, magnitude },
        stuck: { count: segments.length, detected: stuckCaught, rows: STUCK_ROWS },
    }
}
