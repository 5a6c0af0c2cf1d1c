/**
 * Faults a forecast residual cannot see, calibrated from the readings of the
 * training rows: a sensor stuck at one value (a run of equal readings longer
 * than any in training) and a jump (a change larger than any in training).
 * The host's copy of the device's ReadingCheck (src/reading-check.ts) below
 * gives the same bits per row.
 */
import type { ReadingLimits } from "../model/canonical.ts"
import { READING_JUMP, READING_STUCK } from "../../../src/limits.ts"

export { READING_JUMP, READING_STUCK }

/** A run this much longer than the longest in training (and at least STUCK_EXTRA_ROWS longer) is stuck. */
const STUCK_MARGIN = 1.5
const STUCK_EXTRA_ROWS = 2
/** A change this many times the largest in training is a jump. */
const CHANGE_MARGIN = 1.5

/** The limits per reading from `rows` (each row's readings first): the longest run of equal readings and the largest change, each with its margin. */
export function calibrateReadingLimits(rows: number[][], readings: number): ReadingLimits {
    const stuckRows: number[] = []
    const maxChange: number[] = []
    for (let j = 0; j < readings; j++) {
        let longest = 1
        let run = 1
        let change = 0
        for (let t = 1; t < rows.length; t++) {
            run = rows[t][j] === rows[t - 1][j] ? run + 1 : 1
            longest = Math.max(longest, run)
            change = Math.max(change, Math.abs(rows[t][j] - rows[t - 1][j]))
        }
        stuckRows.push(Math.max(longest + STUCK_EXTRA_ROWS, Math.ceil(STUCK_MARGIN * longest)))
        maxChange.push(CHANGE_MARGIN * change)
    }
    return { stuckRows, maxChange }
}

/** Per row, READING_STUCK and READING_JUMP bits, as ReadingCheck gives them streaming the rows from the first. */
export function readingKinds(rows: number[][], limits: ReadingLimits): number[] {
    const run = limits.stuckRows.map(() => 1)
    return rows.map((row, t) => {
        let kinds = 0
        if (t === 0) return 0
        limits.stuckRows.forEach((stuck, j) => {
            run[j] = row[j] === rows[t - 1][j] ? run[j] + 1 : 1
            if (stuck > 0 && run[j] >= stuck) kinds |= READING_STUCK
            const jump = limits.maxChange[j]
            if (jump > 0 && Math.abs(row[j] - rows[t - 1][j]) > jump) kinds |= READING_JUMP
        })
        return kinds
    })
}

/** "temperature: stuck after 14 alike, a change above 2.31" per reading. */
export function readingLimitsLine(limits: ReadingLimits, names: string[]): string {
    return `reading limits (training rows): ${names.map((n, j) => `${n} stuck after ${limits.stuckRows[j]} alike, a jump above ${limits.maxChange[j].toPrecision(3)}`).join("; ")}`
}
