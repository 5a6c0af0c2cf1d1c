/**
 * The rows' times, from a CSV's timestamp column: what calendar inputs and
 * the report's time axis need. ISO 8601 dates and date-times (2024-03-01,
 * 2024-03-01T06:00, 2024-03-01 06:00:00.5, with Z or +01:00, or none). A
 * timestamp without a zone is read as UTC wall clock: the calendar phase is
 * then the hour the CSV shows, whatever zone it was recorded in.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i

/** UTC ms of an ISO date or date-time, and whether it had no zone; null if it is not one (or names a day that does not exist). */
export function parseTimestamp(cell: string): { ms: number; naive: boolean } | null {
    const m = ISO.exec(cell.trim())
    if (!m) return null
    const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map(v => (v === undefined ? undefined : Number(v)))
    const wall = Date.UTC(y!, mo! - 1, d!, h, mi, s) + (m[7] ? Number(m[7]) * 1000 : 0)
    const back = new Date(wall)
    // Date.UTC rolls 2024-02-30 over to March; a real date comes back as written
    if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null
    const zone = m[8]
    if (!zone) return { ms: wall, naive: true }
    if (zone.toUpperCase() === "Z") return { ms: wall, naive: false }
    const sign = zone[0] === "-" ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    return { ms: wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000, naive: false }
}

export interface TimeColumn {
    /** Index of the column in the header. */
    column: number
    /** UTC ms per body row. */
    times: number[]
    /** Whether any timestamp had no zone (read as UTC). */
    naive: boolean
}

/** The first column whose every cell is a timestamp, with the rows' times; null when there is none. */
export function timeColumn(header: string[], body: string[][]): TimeColumn | null {
    if (body.length === 0) return null
    for (let c = 0; c < header.length; c++) {
        const parsed = body.map(r => parseTimestamp(r[c] ?? ""))
        if (parsed.every(p => p !== null)) return { column: c, times: parsed.map(p => p!.ms), naive: parsed.some(p => p!.naive) }
    }
    return null
}

/** The note a command that uses the times prints: which column, and how a timestamp without a zone is read. */
export function timesNote(header: string[], t: TimeColumn): string {
    return `times from column "${header[t.column]}"${t.naive ? " (timestamps without a zone read as UTC)" : ""}`
}

/** The rows' spacing in ms: the median difference of consecutive times, which a gap or a repeated row does not move. */
export function rowSpacing(times: number[]): number {
    const d = times
        .slice(1)
        .map((t, i) => t - times[i])
        .sort((a, b) => a - b)
    return d[Math.floor(d.length / 2)]
}
