/**
 * Which columns of the user's CSV each command uses, always by name when
 * names are known, and what it does with a bad cell.
 *
 * simulate and deploy (readModelInputs) feed every row to the model, so a bad
 * cell is an error naming its line and column. train, evaluate and report
 * (readColumns) follow a stated policy for messy data, each case reported in
 * one line with its counts:
 *
 * - A column whose non-empty cells are mostly not numbers (timestamps, labels)
 *   is skipped and reported; naming it in --inputs or --target is an error.
 * - In the columns used, a row with an empty, NaN or non-numeric cell is
 *   dropped and counted, as the device app skips a faulty reading: it never
 *   enters the model state.
 * - A target or input not in the header is an error that lists the columns.
 *
 * Both give the rows' times (UTC ms) when a column holds ISO timestamps
 * (io/times.ts); a model with calendar inputs and a CSV without them is an
 * error.
 */
import { type Dialect, type Records, cellNumber, readRecords } from "./csv.ts"
import { UserError, quote } from "../core/errors.ts"
import { count } from "../core/wording.ts"
import type { DerivedInputs } from "../model/canonical.ts"
import { derivedCount } from "../model/features.ts"
import { type TimeColumn, timeColumn, timesNote } from "./times.ts"

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
    /** UTC ms of each kept row, from the first column of timestamps (io/times.ts); absent without one. */
    times?: number[]
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
    /** Instead of a note per kind of unused column, one line: "skipping columns not in <this>: ...". */
    skipFrom?: string
    /** --delimiter; default: detected from the header line. */
    delimiter?: string
    /** The calendar inputs of the model the columns are for: they need the rows' times, so a CSV without them is an error. */
    calendar?: string[]
}

type Cell = number | "empty" | "nan" | "text"

function classify(cell: string, dialect: Dialect): Cell {
    if (cell === "") return "empty"
    const value = cellNumber(cell, dialect)
    if (!Number.isNaN(value)) return value
    if (NAN_WORDS.has(cell.toLowerCase())) return "nan"
    return "text"
}

/** Reads the columns asked for, applying the data policy above. */
export function readColumns(path: string, req: ColumnRequest): Columns {
    const { header, body, dialect, notes } = readRecords(path, req.delimiter)
    const cells = body.map(r => header.map((_, c) => classify(r[c] ?? "", dialect)))

    // a column is text when most of its non-empty cells are not numbers
    const isText = header.map((_, c) => {
        const filled = cells.filter(r => r[c] !== "empty")
        return filled.filter(r => r[c] === "text").length * 2 > filled.length
    })
    const kindOf = (c: number) => (body.some(r => TIMESTAMP.test(r[c] ?? "")) ? "timestamps" : "text")
    const find = (name: string, from: string) => {
        const c = columnOf(header, name, path, from)
        if (isText[c]) throw new UserError(`${path}: column "${name}" (${from}) holds ${kindOf(c)}, not numbers`)
        return c
    }
    const targetCol = find(req.target, req.targetFrom ?? "--target")
    const inputCols = req.inputs ? req.inputs.map(n => find(n, req.inputsFrom ?? "--inputs")) : header.map((_, c) => c).filter(c => !isText[c])
    const used = [...new Set([...inputCols, targetCol])]
    // the times of a calendar model's rows are a column in use, not one skipped
    const timeNotes: string[] = []
    const time = rowTimes(path, header, body, req.calendar, timeNotes)
    const timeCols = req.calendar?.length && time ? [time.column] : []
    if (req.skipFrom) notes.push(...skipNote(header, [...used, ...timeCols], req.skipFrom))
    else {
        const skipped = header.map((h, c) => ({ h, c })).filter(({ c }) => isText[c] && !inputCols.includes(c) && !timeCols.includes(c))
        for (const { h, c } of skipped) notes.push(`column "${h}" holds ${kindOf(c)}, not numbers: skipped`)
        const unused = req.inputs ? header.filter((_, c) => !isText[c] && !inputCols.includes(c) && c !== targetCol) : []
        if (unused.length) notes.push(`numeric column${unused.length > 1 ? "s" : ""} not in ${req.inputsFrom ?? "--inputs"}, unused: ${unused.join(", ")}`)
    }

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
    notes.push(...timeNotes)
    return {
        inputNames: inputCols.map(c => header[c]),
        inputs: kept.map(r => inputCols.map(c => cells[r][c] as number)),
        target: kept.map(r => cells[r][targetCol] as number),
        lines: kept.map(r => r + 2),
        ...(time ? { times: kept.map(r => time.times[r]) } : {}),
        notes,
    }
}

/** The rows' times, if a column holds them; `calendar` (a model's calendar inputs) makes them required and noted. */
function rowTimes(path: string, header: string[], body: string[][], calendar: string[] | undefined, notes: string[]): TimeColumn | null {
    const time = timeColumn(header, body)
    if (!calendar?.length) return time
    if (!time) throw new UserError(`${path}: the model's calendar inputs (${calendar.join(", ")}) need each row's time, but no column holds ISO dates or times (e.g. 2024-03-01T06:00)`)
    notes.push(timesNote(header, time))
    return time
}

/** What a reader needs of a model: its input names, when it has them, its input count and the inputs it derives (whose calendar needs times). */
export interface ModelColumns {
    inputNames?: string[]
    outputNames?: string[]
    inputSize: number
    features?: DerivedInputs
}

/** The readings a model takes from the CSV: its inputs less the derived ones (model/features.ts readingCount). */
function readings(model: ModelColumns): number {
    return model.inputSize - derivedCount(model.features)
}

/** The columns a trained model reads (its inputNames) and forecasts (its first outputName), or the ones the flags name. */
export function readModelColumns(path: string, model: ModelColumns, flags: { target?: string; inputs?: string; delimiter?: string }): Columns {
    const inputs = flags.inputs?.split(",").map(s => s.trim()) ?? model.inputNames
    const target = flags.target ?? model.outputNames?.[0]
    if (!inputs) throw new UserError(`the model has no inputNames; name the CSV column of each of its ${readings(model)} readings with --inputs a,b,...`)
    if (inputs.length !== readings(model)) throw new UserError(`--inputs names ${inputs.length} columns, the model takes ${readings(model)} readings`)
    if (!target) throw new UserError("the model has no outputNames; name the column it forecasts with --target")
    return readColumns(path, {
        target,
        inputs,
        targetFrom: flags.target ? "--target" : "the model's outputNames",
        inputsFrom: flags.inputs ? "--inputs" : "the model's inputNames",
        skipFrom: flags.inputs || flags.target ? "--inputs or --target" : "the model",
        delimiter: flags.delimiter,
        calendar: model.features?.calendar,
    })
}

/** The header's column named `name`; missing or named twice is an error that lists the header. */
function columnOf(header: string[], name: string, path: string, from: string): number {
    const c = header.indexOf(name)
    const list = () => header.map(h => quote(h, 40)).join(", ")
    if (c < 0) throw new UserError(`${path}: no column "${name}" (${from}); the header has ${list()}`)
    if (header.indexOf(name, c + 1) >= 0) throw new UserError(`${path}: two columns are named "${name}" (${from}), columns ${c + 1} and ${header.indexOf(name, c + 1) + 1}; rename one`)
    return c
}

/** The one line that reports the columns a command does not use. */
function skipNote(header: string[], used: number[], from: string): string[] {
    const skipped = header.filter((_, c) => !used.includes(c))
    return skipped.length ? [`skipping columns not in ${from}: ${skipped.join(", ")}`] : []
}

/**
 * Each model input's column of `rec`: by the model's inputNames, in any order
 * (other columns skipped and reported), or, for a model without inputNames,
 * the columns in order (and a note that says so).
 */
function inputColumns(rec: Records, model: ModelColumns, usedBy: string, timeCols: number[]): { columns: number[]; notes: string[] } {
    const { path, header } = rec
    if (model.inputNames) {
        const columns = model.inputNames.map(n => columnOf(header, n, path, "the model's inputNames"))
        return { columns, notes: skipNote(header, [...columns, ...timeCols], usedBy) }
    }
    if (header.length !== readings(model))
        throw new UserError(`${path}: the header has ${header.length} columns, the model takes ${readings(model)} readings (it has no inputNames, so the columns are its readings in order)`)
    return { columns: header.map((_, c) => c), notes: [`the model has no inputNames: its ${readings(model)} readings are the CSV's columns in order (${header.join(", ")})`] }
}

/** Parsed records as the model's input rows, every row kept; see readModelInputs. `usedBy` names who wants the columns in the skip note ("the model", "--sensors"). */
export function modelInputs(rec: Records, model: ModelColumns, usedBy = "the model"): { rows: number[][]; times?: number[]; notes: string[] } {
    const { path, header, body, dialect } = rec
    const timeNotes: string[] = []
    const time = rowTimes(path, header, body, model.features?.calendar, timeNotes)
    const { columns, notes } = inputColumns(rec, model, usedBy, model.features?.calendar?.length && time ? [time.column] : [])
    const rows = body.map((cells, r) => {
        if (cells.length !== header.length) throw new UserError(`${path}: line ${r + 2} has ${cells.length} columns, the header has ${header.length}`)
        return columns.map(c => {
            const v = cellNumber(cells[c], dialect)
            if (!Number.isFinite(v)) throw new UserError(`${path}: line ${r + 2}, column ${c + 1} (${quote(header[c])}) is ${quote(cells[c])}, not a finite number in decimal notation`)
            return v
        })
    })
    return { rows, ...(time ? { times: time.times } : {}), notes: [...rec.notes, ...notes, ...timeNotes] }
}

/**
 * The rows simulate and deploy feed the model, one per CSV row, in the
 * model's input order; a cell that is not a number is an error, since every
 * row gets an output.
 */
export function readModelInputs(path: string, model: ModelColumns, delimiter?: string): { rows: number[][]; times?: number[]; notes: string[] } {
    return modelInputs(readRecords(path, delimiter), model)
}

/**
 * The label of each kept row (`lines`, as readColumns gives them) from the
 * column `name` (--labels): 1 for an anomalous row, 0 for a clean one; any
 * other cell is an error naming its line.
 */
export function readLabels(path: string, name: string, lines: number[], delimiter?: string): number[] {
    const { header, body } = readRecords(path, delimiter)
    const c = columnOf(header, name, path, "--labels")
    return lines.map(line => {
        const cell = (body[line - 2]?.[c] ?? "").trim()
        if (cell !== "0" && cell !== "1") throw new UserError(`${path}: line ${line} has ${quote(cell)} in the label column "${name}" (--labels), expected 1 (anomalous) or 0`)
        return Number(cell)
    })
}
