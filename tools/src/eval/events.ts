/**
 * Events, not rows: faults of five kinds injected into the scored rows (the
 * target's column, and the model's input that reads it), the model streamed
 * over them as the device would be, and the anomaly rule (the debounced
 * residual flag, eval/alarms.ts) and the reading limits (stuck, jump,
 * eval/reading-limits.ts) applied. An event is detected at the first row
 * from its start, up to DETECT_AFTER rows after its end, that any of them
 * flags; the delay is that row minus the start.
 */
import type { CanonicalModel } from "../model/canonical.ts"
import { ReferenceModel } from "../model/reference.ts"
import type { EventKind, EventScore, SeriesData } from "./evaluation.ts"
import { ruleFlags } from "./alarms.ts"
import { READING_JUMP, READING_STUCK, readingKinds } from "./reading-limits.ts"

/** Spikes, shifts, drifts and noise are this many standard deviations of the target over the rows. */
export const EVENT_SIGMAS = 3
/** Rows from one event's start to the next's: the state settles in between. */
const SPACING = 96
/** Rows a level shift holds, a drift takes to reach its full size, a noise burst lasts. */
const SHIFT_ROWS = 24
const DRIFT_ROWS = 48
const BURST_ROWS = 12
/** A stuck run repeats the last good value this many times the calibrated stuck length (12 rows without one). */
const STUCK_FACTOR = 2
const STUCK_ROWS_WITHOUT_LIMIT = 12
/** Rows after an event's last one in which a flag still counts as detecting it (a forecast sees the end of a shift one row late). */
const DETECT_AFTER = 3

export const EVENT_KINDS: EventKind[] = ["spike", "level shift", "slow drift", "stuck", "noise burst"]

/** A deterministic noise source (a 32-bit LCG, Box-Muller), so the same rows get the same burst every run. */
function gaussian(seed: number): () => number {
    let s = seed >>> 0
    const uniform = () => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0
        return (s + 0.5) / 4294967296
    }
    return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())
}

/** How many rows an event of this kind changes. */
function eventRows(kind: EventKind, stuckRows: number): number {
    return kind === "spike" ? 1 : kind === "level shift" ? SHIFT_ROWS : kind === "slow drift" ? DRIFT_ROWS : kind === "stuck" ? stuckRows : BURST_ROWS
}

/** The reading at row s + i of an event starting at s: `clean` is the target's value there, `before` the last good value before s. */
function inject(kind: EventKind, i: number, clean: number, before: number, size: number, sign: number, noise: () => number): number {
    switch (kind) {
        case "spike":
        case "level shift":
            return clean + sign * size
        case "slow drift":
            return clean + (sign * size * (i + 1)) / DRIFT_ROWS
        case "stuck":
            return before
        case "noise burst":
            return clean + size * noise()
    }
}

/** One kind's events injected into a copy of the rows: the model's inputs and the target as the sensor would give them, and each event's rows [start, end). */
export interface InjectedRows {
    inputs: number[][]
    observed: number[]
    events: [number, number][]
}

/** The events' size: EVENT_SIGMAS standard deviations of the target over the rows. */
function eventSize(target: number[]): number {
    const mean = target.reduce((a, b) => a + b, 0) / target.length
    return EVENT_SIGMAS * Math.sqrt(target.reduce((a, v) => a + (v - mean) ** 2, 0) / target.length)
}

/** The model's input that reads its (first) output's target, or -1. */
function targetInput(model: CanonicalModel): number {
    return model.inputNames && model.outputNames ? model.inputNames.indexOf(model.outputNames[0]) : -1
}

/** Rows a stuck event holds: STUCK_FACTOR times the target input's calibrated stuck length, else STUCK_ROWS_WITHOUT_LIMIT. */
function stuckLength(model: CanonicalModel): number {
    const k = targetInput(model)
    const limits = model.readingLimits
    return limits && k >= 0 && limits.stuckRows[k] > 0 ? STUCK_FACTOR * limits.stuckRows[k] : STUCK_ROWS_WITHOUT_LIMIT
}

/**
 * Events of one kind every SPACING rows from row `from` (the first scored
 * row's target; alternating up and down) in a copy of the rows.
 */
export function injectEvents(model: CanonicalModel, data: SeriesData, from: number, kind: EventKind): InjectedRows {
    const { target } = data
    const k = targetInput(model)
    const size = eventSize(target)
    const length = eventRows(kind, stuckLength(model))
    const inputs = data.inputs.map(r => r.slice())
    const observed = target.slice()
    const events: [number, number][] = []
    const noise = gaussian(EVENT_KINDS.indexOf(kind) + 1)
    for (let s = from + SPACING / 2; s + length + DETECT_AFTER < target.length; s += SPACING) {
        const sign = events.length % 2 ? -1 : 1
        for (let i = 0; i < length; i++) {
            observed[s + i] = inject(kind, i, target[s + i], target[s - 1], size, sign, noise)
            if (k >= 0) inputs[s + i][k] = observed[s + i]
        }
        events.push([s, s + length])
    }
    return { inputs, observed, events }
}

/** Per row of injected rows, the residual rule's flag and the reading limits' bits, streaming the float model over them as the device would. */
export function injectedFlags(model: CanonicalModel, rows: InjectedRows, times?: number[]): { residual: number[]; reading: number[] } {
    const { observed, inputs } = rows
    const anomaly = model.anomaly
    // the forecast made at row t - 1 for row t, against the (faulty) reading at t
    const forecasts = new ReferenceModel(model).run(inputs, times).map(y => y[0])
    const residual = anomaly ? ruleFlags(observed.map((v, t) => (t === 0 ? 0 : forecasts[t - 1] - v)), anomaly.threshold, anomaly.debounce) : observed.map(() => 0)
    const reading = model.readingLimits ? readingKinds(inputs, model.readingLimits) : observed.map(() => 0)
    return { residual, reading }
}

/** Rows where a flag turns on: where an alarm starts. */
export function alarmStarts(flags: number[]): number[] {
    return flags.flatMap((f, t) => (f && (t === 0 || !flags[t - 1]) ? [t] : []))
}

/** Per kind, the events injectEvents makes and what the rule made of them. */
export function scoreEvents(model: CanonicalModel, data: SeriesData, from: number): EventScore[] {
    const size = eventSize(data.target)
    return EVENT_KINDS.map(kind => {
        const rows = injectEvents(model, data, from, kind)
        const { residual, reading } = injectedFlags(model, rows, data.times)
        const { delays, detectedBy, found } = detect(rows.events, residual, reading)
        const events = rows.events.map(([start, end], i) => ({ start, end, ...(found[i] >= 0 ? { detectedAt: found[i] } : {}) }))
        const alarms = alarmStarts(residual.map((f, t) => f | reading[t])).filter(t => t >= from)
        return { kind, count: rows.events.length, rows: eventRows(kind, stuckLength(model)), size: kind === "stuck" ? 0 : size, delays, detectedBy, events, alarms }
    })
}

/**
 * Per event [start, end) (row indices into both flag lists), the delay to
 * the first row from its start to DETECT_AFTER rows after its end that the
 * residual rule or a reading limit flags, and which flagged it; `found` is
 * that row per event, -1 when none flags it.
 */
export function detect(events: [number, number][], residual: number[], reading: number[]): Pick<EventScore, "delays" | "detectedBy"> & { found: number[] } {
    const detectedBy = { residual: 0, stuck: 0, jump: 0 }
    const found = events.map(([s, end]) => {
        for (let t = s; t < Math.min(end + DETECT_AFTER, residual.length); t++) {
            if (!residual[t] && !reading[t]) continue
            if (residual[t]) detectedBy.residual++
            if (reading[t] & READING_STUCK) detectedBy.stuck++
            if (reading[t] & READING_JUMP) detectedBy.jump++
            return t
        }
        return -1
    })
    const delays = found.flatMap((t, i) => (t >= 0 ? [t - events[i][0]] : []))
    return { delays, detectedBy, found }
}

/** The runs of rows labelled 1, as [start, end). */
export function labelledRuns(labels: number[]): [number, number][] {
    const runs: [number, number][] = []
    labels.forEach((l, t) => {
        if (l && (t === 0 || !labels[t - 1])) runs.push([t, t + 1])
        else if (l) runs[runs.length - 1][1] = t + 1
    })
    return runs
}
