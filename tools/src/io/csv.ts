/**
 * The one CSV reader: a header row, then one row per time step, in the
 * dialect a spreadsheet writes. The delimiter (`,` `;` or tab) is read off
 * the header line unless --delimiter names it; a `;` file takes decimal
 * commas (1,25), as European spreadsheets export them. A BOM, CRLF line ends
 * and quoted fields work in every dialect (csv-parse). Which columns a
 * command uses, and what it does with bad cells, is columns.ts.
 */
import { readFileSync } from "node:fs"
import { parse } from "csv-parse/sync"
import { UserError, clip, quote } from "../core/errors.ts"
import { writeOutputFile } from "./files.ts"

export interface Dialect {
    delimiter: string
    /** `1,25` is 1.25: only in `;` files, where the comma cannot be the delimiter. */
    decimalComma: boolean
}

/** A CSV as text cells: the header and the rows under it (line r + 2 of the file). */
export interface Records {
    path: string
    header: string[]
    body: string[][]
    dialect: Dialect
    /** One line when the dialect is not plain comma-separated, so the user sees how the file was read. */
    notes: string[]
}

const DELIMITERS = [",", ";", "\t"]
const show = (d: string) => (d === "\t" ? "tab" : d)

/**
 * A number as a person writes it in a CSV: decimal, with an optional sign,
 * fraction and exponent. Number() would also take 0x10, 0b101, 0o17 and
 * Infinity, which pandas and numpy read as text.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

export function parseDecimal(text: string): number {
    return DECIMAL.test(text) ? Number(text) : NaN
}

/** A cell's number in the file's dialect, NaN when it is not a finite decimal. */
export function cellNumber(cell: string, dialect: Dialect): number {
    // one comma and no point: the decimal mark (1,25); 1.234,5 with grouping stays refused
    const v = parseDecimal(dialect.decimalComma && /^[^.,]*,[^.,]*$/.test(cell) ? cell.replace(",", ".") : cell)
    // 1e999 is decimal notation but overflows to Infinity: a bad cell, not a reading
    return Number.isFinite(v) ? v : NaN
}

/** The --delimiter value: `,` `;` `tab` (or \t) or one other character that cannot be part of a number. */
export function parseDelimiter(value: string): string {
    const d = value === "tab" || value === "\\t" ? "\t" : value
    if ([...d].length !== 1 || /[\p{L}\p{N}.+\-"\r\n]/u.test(d))
        throw new UserError(`--delimiter must be ",", ";", "tab" or one other character (not a letter, digit, quote, point or sign), got ${quote(value)}`)
    return d
}

/** How often each delimiter occurs outside quotes in the first line. */
function detectDelimiter(text: string): string {
    const counts = new Map(DELIMITERS.map(d => [d, 0]))
    let quoted = false
    for (const ch of text) {
        if (ch === '"') quoted = !quoted
        else if (!quoted && (ch === "\n" || ch === "\r")) break
        else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1)
    }
    // a header with none of them is one column: any delimiter reads it
    return [...counts].reduce((best, c) => (c[1] > best[1] ? c : best))[0]
}

/** Reads `path` as CSV records; `delimiter` (from --delimiter) overrides the detection. */
export function readRecords(path: string, delimiter?: string): Records {
    let text: string
    try {
        text = readFileSync(path, "utf8")
    } catch (e) {
        throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`)
    }
    return parseRecords(text, path, delimiter)
}

/** The CSV text of `path` as records; see readRecords. */
export function parseRecords(text: string, path: string, delimiter?: string): Records {
    const body = text.replace(/^\uFEFF/, "")
    const d = delimiter ?? detectDelimiter(body.replace(/^\s*\n/, ""))
    const dialect = { delimiter: d, decimalComma: d === ";" }
    let records: string[][]
    try {
        records = parse(body, { delimiter: d, skip_empty_lines: true, trim: true, relax_column_count: true })
    } catch (e) {
        throw new UserError(`${path}: not a valid CSV (${clip((e as Error).message.split("\n")[0], 120)})`)
    }
    if (records.length < 2) throw new UserError(`${path}: no data rows (expected a header row and at least one row of numbers)`)
    const [header, ...rows] = records
    const glued = header.length === 1 ? DELIMITERS.find(c => c !== d && header[0].includes(c)) : undefined
    if (glued !== undefined)
        throw new UserError(`${path}: the header is one column ${quote(header[0], 60)}, which looks ${show(glued)}-separated; pass --delimiter ${glued === "\t" ? "tab" : `"${glued}"`}`)
    // one column and no delimiter to detect: 1,25 in a one-column European file would read as 1
    const wide = header.length === 1 && delimiter === undefined ? rows.findIndex(r => r.length > 1) : -1
    if (wide >= 0)
        throw new UserError(`${path}: the header is one column, but line ${wide + 2} has ${rows[wide].length} cells (${quote(rows[wide].join(d), 40)}); if that is one number with a decimal comma, pass --delimiter ";"`)
    // without this, the first row of numbers would silently become the header
    if (header.every(cell => Number.isFinite(cellNumber(cell, dialect))))
        throw new UserError(`${path}: the first line is numbers, not a header; add a header row naming the columns`)
    const notes = d === "," ? [] : [`read as ${show(d)}-separated${dialect.decimalComma ? " with decimal commas" : ""}${delimiter === undefined ? " (detected from the header; --delimiter to change)" : ""}`]
    return { path, header, body: rows, dialect, notes }
}

/** Writes rows under the header y0,y1,... with full float64 precision. */
export function writeOutputCsv(path: string, rows: number[][]): void {
    const width = rows[0]?.length ?? 0
    const header = Array.from({ length: width }, (_, j) => `y${j}`).join(",")
    writeOutputFile(path, [header, ...rows.map(r => r.map(v => String(v)).join(","))].join("\n") + "\n")
}
