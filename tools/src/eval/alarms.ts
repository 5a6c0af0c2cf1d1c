/**
 * The anomaly rule as the device applies it (src/anomaly.ts AnomalyCheck),
 * over a list of one-step errors, and its calibration to a false-alarm
 * budget: `train --false-alarms 1/day` picks the threshold and the debounce
 * (at least k of the last n rows over the threshold) so that the validation
 * rows raise at most the budget's alarms. An alarm is the flag turning on: a
 * run of flagged rows alerts a user once.
 */
import { ALARM_UNIT_MS, type AlarmBudget, type AlarmUnit, type AnomalyThreshold } from "../model/canonical.ts"
import { UserError } from "../core/errors.ts"

/**
 * The debounces calibration tries, fastest first. A count of at most 2 keeps
 * a spike in sight: a residual model fed a spike misses by it on the spiked
 * row and again on the next one, whose forecast starts from the spike.
 */
export const DEBOUNCES: [number, number][] = [
    [1, 1],
    [2, 2],
    [2, 3],
    [2, 4],
]

/** A budget looser than one alarm per this many rows is refused: the 99.5th-percentile threshold flags one row in 200. */
const MIN_ROWS_PER_ALARM = 10

/** "5 seconds", "1 hour", "4.35 weeks": a span of time in words. */
export function durationWords(ms: number): string {
    const units: [number, string][] = [
        [ALARM_UNIT_MS.week, "week"],
        [ALARM_UNIT_MS.day, "day"],
        [ALARM_UNIT_MS.hour, "hour"],
        [60_000, "minute"],
        [1000, "second"],
    ]
    const [size, name] = ms === 0 ? [1000, "second"] : (units.find(([size]) => ms >= size) ?? [1, "millisecond"])
    const n = +(ms / size).toPrecision(3)
    return `${n} ${name}${n === 1 ? "" : "s"}`
}

/** The loosest budget that allows at most one alarm per MIN_ROWS_PER_ALARM rows, in the smallest unit where it is a whole number, e.g. "2/day"; per week otherwise, e.g. "0.7/week". */
function suggestion(rowMs: number): string {
    const allowed = (u: AlarmUnit) => ALARM_UNIT_MS[u] / rowMs / MIN_ROWS_PER_ALARM
    const per = (["hour", "day", "week"] as AlarmUnit[]).find(u => allowed(u) >= 1)
    if (per) return `${Math.floor(allowed(per))}/${per}`
    const week = allowed("week")
    const digits = 10 ** (Math.floor(Math.log10(week)) - 1)
    return `${+(Math.floor(week / digits) * digits).toPrecision(2)}/week`
}

/** "1/day", "0.5/hour", "3/week": at most that many false alarms per unit. */
export function parseAlarmBudget(text: string): { alarms: number; per: AlarmUnit } {
    const m = /^\s*([0-9]*\.?[0-9]+)\s*\/\s*(hour|day|week)\s*$/.exec(text)
    const alarms = m ? Number(m[1]) : NaN
    if (!m || !(alarms > 0)) throw new UserError(`--false-alarms must be a number of alarms per hour, day or week, e.g. 1/day or 0.5/hour, got "${text}"`)
    return { alarms, per: m[2] as AlarmUnit }
}

/** Per row, the device's flag: at least k of the last n rows (this one included) have |error| above the threshold. */
export function ruleFlags(errors: number[], threshold: number, [k, n]: [number, number] = [1, 1]): number[] {
    const over = errors.map(e => (Math.abs(e) > threshold ? 1 : 0))
    let inWindow = 0
    return over.map((o, i) => {
        inWindow += o - (i >= n ? over[i - n] : 0)
        return inWindow >= k ? 1 : 0
    })
}

/**
 * Alarms among the flags of a rule with this window: the flag turning on is
 * one, and a flag that stays on counts again every `window` rows, so that a
 * rule cannot meet a budget by staying on (a window of 1: every flagged row).
 */
export function alarmCount(flags: number[], window = 1): number {
    let alarms = 0
    let run = 0
    for (const f of flags) {
        run = f ? run + 1 : 0
        if (run % window === 1 % window && run > 0) alarms++
    }
    return alarms
}

/** Alarms per budget unit over `rows` rows `rowMs` apart. */
export function alarmRate(alarms: number, rows: number, rowMs: number, per: AlarmUnit): number {
    return (alarms * ALARM_UNIT_MS[per]) / (rows * rowMs)
}

/**
 * The lowest threshold (one of the absolute errors, flagging strictly above
 * it) at which the rule with this debounce, and every higher threshold,
 * raises at most `allowed` alarms on `errors`. Alarms are not monotone in the
 * threshold (raising it can split a run in two), hence "every higher".
 */
function lowestThreshold(errors: number[], debounce: [number, number], allowed: number): number {
    // 0 would turn the flag off on the device
    const levels = [...new Set(errors.map(Math.abs))].filter(e => e > 0).sort((a, b) => b - a)
    let best = levels[0]
    for (const t of levels) {
        if (alarmCount(ruleFlags(errors, t, debounce), debounce[1]) > allowed) break
        best = t
    }
    return best
}

/**
 * The threshold and debounce for `budget` on the validation rows' errors
 * (forecast - actual, rows `rowMs` apart): for each debounce of DEBOUNCES, the
 * lowest threshold that meets the budget there, and of those the lowest
 * threshold (the most sensitive rule), the faster debounce on a tie.
 */
export function calibrateBudget(errors: number[], rowMs: number, budget: { alarms: number; per: AlarmUnit }): AnomalyThreshold {
    if (!errors.some(e => e !== 0)) throw new UserError("--false-alarms: the model forecasts every validation row exactly, so there is no error to set a threshold above")
    const rowsPerAlarm = ALARM_UNIT_MS[budget.per] / budget.alarms / rowMs
    if (rowsPerAlarm < MIN_ROWS_PER_ALARM)
        throw new UserError(`--false-alarms ${budget.alarms}/${budget.per} allows an alarm every ${rowsPerAlarm.toPrecision(2)} rows (rows are ${durationWords(rowMs)} apart): that is no anomaly flag; ask for at most one every ${MIN_ROWS_PER_ALARM} rows, e.g. ${suggestion(rowMs)}`)
    const allowed = Math.floor(errors.length / rowsPerAlarm)
    const options = DEBOUNCES.map(debounce => ({ debounce, threshold: lowestThreshold(errors, debounce, allowed) }))
    const { debounce, threshold } = options.reduce((a, b) => (b.threshold < a.threshold ? b : a))
    const abs = errors.map(Math.abs)
    const record: AlarmBudget = { ...budget, rowMs, validationAlarms: alarmCount(ruleFlags(errors, threshold, debounce), debounce[1]), validationRows: errors.length }
    // the share of validation errors at or below the threshold, as a percentile threshold would state it
    return { threshold, percentile: (100 * abs.filter(e => e <= threshold).length) / abs.length, debounce, budget: record }
}
