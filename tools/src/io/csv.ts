/** CSV in and out: a header row, then one numeric row per time step. */
import { readFileSync } from "node:fs"
import { parse } from "csv-parse/sync"
import { UserError } from "../model/errors.ts"
import { writeOutputFile } from "./files.ts"

export interface Table {
    header: string[]
    rows: number[][]
}

/** Reads a numeric CSV and checks it has `columns` columns (when given). */
export function readCsv(path: string, columns?: number): Table {
    let text: string
    try {
        text = readFileSync(path, "utf8")
    } catch (e) {
        throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`)
    }
    let records: string[][]
    try {
        records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true })
    } catch (e) {
        throw new UserError(`${path}: not a valid CSV (${(e as Error).message.split("\n")[0]})`)
    }
    if (records.length < 2) throw new UserError(`${path}: no data rows (expected a header row and at least one row of numbers)`)
    const [header, ...body] = records
    if (columns !== undefined && header.length !== columns)
        throw new UserError(`${path}: the header has ${header.length} columns, the model takes ${columns} inputs`)
    const rows = body.map((cells, r) => {
        if (cells.length !== header.length)
            throw new UserError(`${path}: line ${r + 2} has ${cells.length} columns, the header has ${header.length}`)
        return cells.map((cell, c) => {
            const v = cell === "" ? NaN : Number(cell)
            if (!Number.isFinite(v)) throw new UserError(`${path}: line ${r + 2}, column ${c + 1} ("${header[c]}") is "${cell}", not a finite number`)
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
