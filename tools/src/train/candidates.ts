/**
 * What train chooses among: the targets the network can forecast and the
 * input sets it can see, each pair one candidate trained and scored on
 * streaming validation (select.ts). Apart from TensorFlow.js, so that the
 * CLI checks the flags without loading it.
 *
 * Targets: the level; the change from the current value (residual, base
 * "current"); the change from the seasonal naive forecast (residual, base
 * "season", which needs the target's seasonal value as an input); the change
 * from the statistical baseline's forecast (base "statistical", which needs
 * that forecast as an input: the network learns what the ARIMA misses, as
 * hybrid forecasters such as Smyl's ES-RNN do).
 *
 * Input sets, each adding one kind of derived input to the one before:
 * the readings; + the target's change; + its seasonal value (with a period);
 * + the calendar cycles the rows' spacing and span can show (with times);
 * + the statistical baseline's forecast (one horizon).
 */
import type { Cycle, DerivedInputs } from "../model/canonical.ts"
import { CYCLES, seasonDepth } from "../model/features.ts"
import { horizonText } from "../model/horizons.ts"
import { count } from "../core/wording.ts"
import { UserError } from "../core/errors.ts"
import type { ResolvedOptions } from "./options.ts"
import { detectPeriod } from "./season.ts"
import { rowSpacing } from "../io/times.ts"

export const TARGET_MODES = ["level", "change", "season", "statistical"] as const
export type TargetMode = (typeof TARGET_MODES)[number]

/** One derived input set, of the target: its change, its seasonal value, calendar cycles. */
export interface InputSet {
    change: boolean
    season: boolean
    calendar: Cycle[]
    /** The statistical baseline's forecast of the target (train/statistical.ts). */
    statistical?: boolean
}

/** --derived: pick on validation, or one given set ("none" is the empty one). */
export type DerivedRequest = "auto" | InputSet

export interface Candidate {
    target: TargetMode
    inputs: InputSet
}

const KINDS = ["change", "season", ...(Object.keys(CYCLES) as Cycle[]), "statistical"]

/** "auto", "none" or "change,season,day" -> the request. */
export function parseDerived(v: string): DerivedRequest {
    const s = v.trim().toLowerCase()
    if (s === "auto") return "auto"
    const set: InputSet = { change: false, season: false, calendar: [] }
    if (s === "none") return set
    for (const part of s.split(",").map(p => p.trim())) {
        if (!KINDS.includes(part)) throw new UserError(`--derived: "${part}" is not a derived input; use auto, none, or a comma-separated list of ${KINDS.join(", ")}`)
        if (part === "change" || part === "season" || part === "statistical") set[part] = true
        else if (!set.calendar.includes(part as Cycle)) set.calendar.push(part as Cycle)
    }
    // the network's order, whatever the flag's
    set.calendar.sort((a, b) => KINDS.indexOf(a) - KINDS.indexOf(b))
    return set
}

const DAY_MS = CYCLES.day.ms
/** A calendar cycle is an input only when the training rows span this many of it: fewer cannot teach its shape. */
const MIN_CYCLES: Record<Cycle, number> = { day: 2, week: 3, year: 1 }

/**
 * Calendar cycles that make sense for rows `rowMs` apart over `spanMs`: the
 * day for sub-daily rows, the week for daily or finer, the year for monthly
 * or finer, each when the span covers enough of it.
 */
export function calendarCycles(rowMs: number, spanMs: number): Cycle[] {
    const finest: Record<Cycle, number> = { day: DAY_MS, week: DAY_MS, year: 31 * DAY_MS }
    return (Object.keys(CYCLES) as Cycle[]).filter(c => (c === "day" ? rowMs < finest.day : rowMs <= finest[c]) && spanMs >= MIN_CYCLES[c] * CYCLES[c].ms)
}

/** What the data allows: the target among the readings, a period, the calendar cycles its times show (null without times). */
export interface CandidateContext {
    target: string
    targetIsInput: boolean
    period: number | null
    cycles: Cycle[] | null
    /** Why a season input cannot be scored though there is a period (the validation part is too short), or undefined. */
    seasonTooLong?: string
    /** Why the statistical forecast cannot be an input (several horizons), or undefined. */
    noStatistical?: string
}

const empty = (): InputSet => ({ change: false, season: false, calendar: [] })

/** The candidates for the flags on this data, targets outer, input sets inner; a flag the data cannot meet is a one-line error. */
export function candidateList(ctx: CandidateContext, targetMode: "auto" | TargetMode, derived: DerivedRequest): Candidate[] {
    const sets = derived === "auto" ? autoSets(ctx) : [checked(ctx, derived)]
    const targets: readonly TargetMode[] = targetMode === "auto" ? (ctx.targetIsInput ? TARGET_MODES : ["level"]) : [targetMode]
    const list = targets.flatMap(target => sets.filter(inputs => (target !== "season" || inputs.season) && (target !== "statistical" || inputs.statistical)).map(inputs => ({ target, inputs })))
    if (list.length === 0) {
        // only --target-mode season or statistical can empty the list: every set lacks the value it adds back
        if (targetMode === "season" && ctx.period === null) throw new UserError(`--target-mode season: no season was detected in the training rows of ${ctx.target}; give --period N`)
        if (targetMode === "statistical") throw new UserError(ctx.noStatistical ? `--target-mode statistical: ${ctx.noStatistical}` : "--target-mode statistical adds back the statistical forecast, so --derived must list statistical")
        if (ctx.seasonTooLong) throw new UserError(`--target-mode season: ${ctx.seasonTooLong}`)
        throw new UserError("--target-mode season adds back the target's seasonal value, so --derived must list season")
    }
    return list
}

function autoSets(ctx: CandidateContext): InputSet[] {
    if (!ctx.targetIsInput) return ctx.cycles?.length ? [empty(), { ...empty(), calendar: ctx.cycles }] : [empty()]
    const sets = [empty(), { ...empty(), change: true }]
    if (ctx.period !== null && !ctx.seasonTooLong) sets.push({ ...sets[1], season: true })
    if (ctx.cycles?.length) sets.push({ ...sets.at(-1)!, calendar: ctx.cycles })
    if (!ctx.noStatistical) sets.push({ ...sets.at(-1)!, statistical: true })
    return sets
}

function checked(ctx: CandidateContext, set: InputSet): InputSet {
    if ((set.change || set.season) && !ctx.targetIsInput) throw new UserError(`--derived ${set.change ? "change" : "season"} is of the target, so ${ctx.target} must be one of --inputs`)
    if (set.season && ctx.period === null) throw new UserError(`--derived season: no season was detected in the training rows of ${ctx.target}; give --period N`)
    if (set.season && ctx.seasonTooLong) throw new UserError(`--derived season: ${ctx.seasonTooLong}`)
    if (set.statistical && !ctx.targetIsInput) throw new UserError(`--derived statistical forecasts the target, so ${ctx.target} must be one of --inputs`)
    if (set.statistical && ctx.noStatistical) throw new UserError(`--derived statistical: ${ctx.noStatistical}`)
    if (set.calendar.length && ctx.cycles === null) throw new UserError(`--derived ${set.calendar.join(",")}: calendar inputs need the rows' times, and the CSV has no timestamp column`)
    return set
}

/** The model's features for a candidate: derived inputs of reading `k` (the target), and the row spacing when the clock matters. */
export function candidateFeatures(c: Candidate, k: number, rowMs?: number): DerivedInputs | undefined {
    const { change, season, calendar, statistical } = c.inputs
    if (!change && !season && !calendar.length && !statistical) return undefined
    return {
        ...(change ? { change: [k] } : {}),
        // the seasonal value and the change over the season: the pair the airline model forecasts from
        ...(season ? { season: [k], seasonChange: [k] } : {}),
        ...(calendar.length ? { calendar, ...(rowMs ? { rowMs } : {}) } : {}),
        ...(statistical ? { statistical: [k] } : {}),
    }
}

const TARGET_WORDS: Record<TargetMode, string> = { level: "the level", change: "the change from the current value", season: "the change from the seasonal naive forecast", statistical: "the change from the statistical forecast" }

/** "the change from the seasonal naive forecast" */
export function targetWords(t: TargetMode): string {
    return TARGET_WORDS[t]
}

/** "readings + change + season + day, week" */
export function inputWords(s: InputSet): string {
    return ["readings", ...(s.change ? ["change"] : []), ...(s.season ? ["season"] : []), ...(s.calendar.length ? [s.calendar.join(", ")] : []), ...(s.statistical ? ["ARIMA"] : [])].join(" + ")
}

/** "season, readings + change + season": a candidate in a progress line or the table. */
export function candidateLabel(c: Candidate): string {
    return `${c.target}, ${inputWords(c.inputs)}`
}

/** The flag value that gives this input set: "none" or "change,season,day". */
export function derivedFlag(s: InputSet): string {
    const kinds = [...(s.change ? ["change"] : []), ...(s.season ? ["season"] : []), ...s.calendar, ...(s.statistical ? ["statistical"] : [])]
    return kinds.length ? kinds.join(",") : "none"
}

/** The rows train plans on: readings, target, and their times when the CSV has them. */
export interface PlanData {
    inputNames: string[]
    inputs: number[][]
    target: number[]
    times?: number[]
}

export interface Plan {
    candidates: Candidate[]
    /** The season in rows and where it came from; null rows when none. */
    period: { rows: number | null; source: string }
    /** The rows' times when there is one per row, and their median spacing on the training rows. */
    times?: number[]
    rowMs?: number
    /**
     * Rows at the start of each part before a season input holds a reading
     * one season back (0 without season candidates): every candidate trains
     * after them and is scored after them, on the same rows, as evaluate scores.
     */
    warmUp: number
}

/** Validation rows a season candidate must have scored after its warm-up. */
const MIN_SCORED_ROWS = 8

/**
 * What train will try on this data: the period (--period, or detected on the
 * training rows only, as evaluate and report then take it from model.json)
 * and the candidates. The CLI calls it before training, so a flag the data
 * cannot meet is refused before anything else is printed.
 */
export function planCandidates(data: PlanData, target: string, o: ResolvedOptions): Plan {
    const times = data.times?.length === data.inputs.length ? data.times : undefined
    const rowMs = times ? rowSpacing(times.slice(0, o.trainRows)) : undefined
    const trained = data.target.slice(0, o.trainRows)
    const period = o.period !== undefined ? { rows: o.period, source: "--period" } : { rows: detectPeriod(trained, rowMs), source: "detected on the training rows" }
    const cycles = times ? calendarCycles(rowMs!, times[o.trainRows - 1] - times[0]) : null
    const depth = period.rows === null ? 0 : seasonDepth(period.rows, o.horizon)
    const validationRows = data.inputs.length - o.trainRows
    // a season input (and base) looks seasonalLag(p, h) - h rows back, a different depth for each horizon
    const seasonTooLong = new Set(o.horizons).size > 1
        ? `several horizons (--horizon ${horizonText(o.horizons)}) take the level and change targets only: a season input looks back a different number of rows for each horizon`
        : period.rows !== null && validationRows - o.horizon - depth < MIN_SCORED_ROWS
            ? `the ${count(validationRows, "validation row")} cannot score a season input: it needs ${depth} rows of history and ${MIN_SCORED_ROWS} scored; use a larger --validation share`
            : undefined
    const noStatistical = new Set(o.horizons).size > 1 ? `several horizons (--horizon ${horizonText(o.horizons)}) take no statistical input: it forecasts one horizon` : undefined
    const candidates = candidateList({ target, targetIsInput: data.inputNames.includes(target), period: period.rows, cycles, seasonTooLong, noStatistical }, o.targetMode, o.derived)
    return { candidates, period, times, rowMs, warmUp: candidates.some(c => c.inputs.season) ? depth : 0 }
}
