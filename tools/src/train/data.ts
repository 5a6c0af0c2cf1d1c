/**
 * The user's CSV as train and evaluate read it: columns by name, and a stated
 * policy for messy data, each case reported in one line with its counts.
 *
 * - A column whose non-empty cells are mostly not numbers (timestamps, labels)
 *   is skipped and reported; naming it in --inputs or --target is an error.
 * - In the columns used, a row with an empty, NaN or non-numeric cell is
 *   dropped and counted, as the device app skips a faulty reading: it never
 *   enters the model state.
 * - A target or input not in the header is an error that lists the columns.
 */
import { readFileSync } from "node:fs"
import { parse } from "csv-parse/sync"
import { parseDecimal } from "../io/csv.ts"
import { UserError } from "../model/errors.ts"
import { count } from "../model/wording.ts"

const NAN_WORDS = new Set(["nan", "na", "n/a", "null", "none", "-"])
/** A cell that looks like a date or time: 2010-01-01, 2010-01-01T01:00:00, 12:30, 1/2/2020. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$|^\d{1,2}:\d{2}(:\d{2})?$|^\d{1,2}\/\d{1,2}\/\d{2,4}/

export interface Columns {
    /** Input columns, in the order asked for. */
    inputNames: string[]
    /** One row per kept CSV row: the input values. */
    inputs: number[][]
    /** The target column, one value per kept row. */
    target: number[]
    /** The CSV line (1-based, header is line 1) of each kept row. */
    lines: number[]
    /** One line per data-policy case that happened, with counts. */
    notes: string[]
}

export interface ColumnRequest {
    target: string
    /** Input columns; default: every numeric column (the target included). */
    inputs?: string[]
    /** Flag names for messages, e.g. "--target" or "the model's outputNames". */
    targetFrom?: string
    inputsFrom?: string
}

type Cell = number | "empty" | "nan" | "text"

function classify(cell: string): Cell {
    if (cell === "") return "empty"
    const value = parseDecimal(cell)
    if (!Number.isNaN(value)) return value
    if (NAN_WORDS.has(cell.toLowerCase())) return "nan"
    return "text"
}

function readRecords(path: string): string[][] {
    let text: string
    try {
        text = readFileSync(path, "utf8")
    } catch (e) {
        throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`)
    }
    try {
        return parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true, bom: true })
    } catch (e) {
        throw new UserError(`${path}: not a valid CSV (${(e as Error).message.split("\n")[0]})`)
    }
}

/** Reads the columns asked for, applying the data policy above. */
export function readColumns(path: string, req: ColumnRequest): Columns {
    const records = readRecords(path)
    if (records.length < 2) throw new UserError(`${path}: no data rows (expected a header row and rows of numbers)`)
    const [header, ...body] = records
    const cells = body.map(r => header.map((_, c) => classify(r[c] ?? "")))
    const notes: string[] = []

    // a column is text when most of its non-empty cells are not numbers
    const isText = header.map((_, c) => {
        const filled = cells.filter(r => r[c] !== "empty")
        return filled.filter(r => r[c] === "text").length * 2 > filled.length
    })
    const kindOf = (c: number) => (body.some(r => TIMESTAMP.test(r[c] ?? "")) ? "timestamps" : "text")
    const find = (name: string, from: string) => {
        const c = header.indexOf(name)
        if (c < 0) throw new UserError(`${path}: no column "${name}" (${from}); the header has ${header.map(h => `"${h}"`).join(", ")}`)
        if (isText[c]) throw new UserError(`${path}: column "${name}" (${from}) holds ${kindOf(c)}, not numbers`)
        return c
    }
    const targetCol = find(req.target, req.targetFrom ?? "--target")
    const inputCols = req.inputs ? req.inputs.map(n => find(n, req.inputsFrom ?? "--inputs")) : header.map((_, c) => c).filter(c => !isText[c])
    const skipped = header.map((h, c) => ({ h, c })).filter(({ c }) => isText[c] && !inputCols.includes(c))
    for (const { h, c } of skipped) notes.push(`column "${h}" holds ${kindOf(c)}, not numbers: skipped`)
    const unused = req.inputs ? header.filter((_, c) => !isText[c] && !inputCols.includes(c) && c !== targetCol) : []
    if (unused.length) notes.push(`numeric column${unused.length > 1 ? "s" : ""} not in ${req.inputsFrom ?? "--inputs"}, unused: ${unused.join(", ")}`)

    const used = [...new Set([...inputCols, targetCol])]
    const bad = { empty: 0, nan: 0, text: 0 }
    let firstText = ""
    const kept: number[] = []
    cells.forEach((row, r) => {
        let ok = true
        for (const c of used) {
            const v = row[c]
            if (typeof v === "number") continue
            ok = false
            bad[v]++
            if (v === "text" && !firstText) firstText = `"${body[r][c]}" in ${header[c]}, line ${r + 2}`
        }
        if (ok) kept.push(r)
    })
    const dropped = body.length - kept.length
    if (dropped) {
        const kinds = [bad.empty && count(bad.empty, "empty cell"), bad.nan && `${bad.nan} NaN`, bad.text && `${bad.text} non-numeric (e.g. ${firstText})`].filter(Boolean)
        notes.push(`dropped ${count(dropped, "row")} of ${body.length.toLocaleString("en-US")} with a missing value in a used column (${kinds.join(", ")}); the device skips such readings too`)
    }
    return {
        inputNames: inputCols.map(c => header[c]),
        inputs: kept.map(r => inputCols.map(c => cells[r][c] as number)),
        target: kept.map(r => cells[r][targetCol] as number),
        lines: kept.map(r => r + 2),
        notes,
    }
}

/** The columns a trained model reads (its inputNames) and forecasts (its first outputName), or the ones the flags name. */
export function readModelColumns(path: string, model: { inputNames?: string[]; outputNames?: string[]; inputSize: number }, flags: { target?: string; inputs?: string }): Columns {
    const inputs = flags.inputs?.split(",").map(s => s.trim()) ?? model.inputNames
    const target = flags.target ?? model.outputNames?.[0]
    if (!inputs) throw new UserError(`the model has no inputNames; name the CSV column of each of its ${model.inputSize} inputs with --inputs a,b,...`)
    if (inputs.length !== model.inputSize) throw new UserError(`--inputs names ${inputs.length} columns, the model takes ${model.inputSize} inputs`)
    if (!target) throw new UserError("the model has no outputNames; name the column it forecasts with --target")
    return readColumns(path, {
        target,
        inputs,
        targetFrom: flags.target ? "--target" : "the model's outputNames",
        inputsFrom: flags.inputs ? "--inputs" : "the model's inputNames",
    })
}
