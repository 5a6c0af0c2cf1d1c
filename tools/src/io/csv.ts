/** CSV in and out: a header row, then one numeric row per time step. */
import { readFileSync } from "node:fs"
import { parse } from "csv-parse/sync"
import { UserError, clip, quote } from "../model/errors.ts"
import { writeOutputFile } from "./files.ts"

export interface Table {
    header: string[]
    rows: number[][]
}

/**
 * A number as a person writes it in a CSV: decimal, with an optional sign,
 * fraction and exponent. Number() would also take 0x10, 0b101, 0o17 and
 * Infinity, which pandas and numpy read as text.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

export function parseDecimal(text: string): number {
    return DECIMAL.test(text) ? Number(text) : NaN
}

/** Reads a numeric CSV and checks it has `columns` columns (when given). */
export function readCsv(path: string, columns?: number): Table {
    let text: string
    try {
        text = readFileSync(path, "utf8")
    } catch (e) {
        throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`)
    }
    return parseCsv(text, path, columns)
}

/** The CSV text of `path` as a table; see readCsv. */
export function parseCsv(text: string, path: string, columns?: number): Table {
    let records: string[][]
    try {
        records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true })
    } catch (e) {
        throw new UserError(`${path}: not a valid CSV (${clip((e as Error).message.split("\n")[0], 120)})`)
    }
    if (records.length < 2) throw new UserError(`${path}: no data rows (expected a header row and at least one row of numbers)`)
    const [header, ...body] = records
    // without this, the first row of numbers would silently become the header
    if (header.every(cell => Number.isFinite(parseDecimal(cell))))
        throw new UserError(`${path}: the first line is numbers, not a header; add a header row naming the columns`)
    if (columns !== undefined && header.length !== columns)
        throw new UserError(`${path}: the header has ${header.length} columns, the model takes ${columns} inputs`)
    const rows = body.map((cells, r) => {
        if (cells.length !== header.length)
            throw new UserError(`${path}: line ${r + 2} has ${cells.length} columns, the header has ${header.length}`)
        return cells.map((cell, c) => {
            const v = parseDecimal(cell)
            if (!Number.isFinite(v)) throw new UserError(`${path}: line ${r + 2}, column ${c + 1} (${quote(header[c])}) is ${quote(cell)}, not a finite number in decimal notation`)
            return v
        })
    })
    return { header, rows }
}

/** Writes rows under the header y0,y1,... with full float64 precision. */
export function writeOutputCsv(path: string, rows: number[][]): void {
    const width = rows[0]?.length ?? 0
    const header = Array.from({ length: width }, (_, j) => `y${j}`).join(",")
    writeOutputFile(path, [header, ...rows.map(r => r.map(v => String(v)).join(","))].join("\n") + "\n")
}
