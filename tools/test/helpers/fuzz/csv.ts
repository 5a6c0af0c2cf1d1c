/**
 * Fuzz target: the input CSV. A clean table of decimals under a header, then
 * damaged: cells JavaScript reads as numbers but people do not write (0x10,
 * Infinity), text, quotes, commas and line breaks inside cells, a cell added
 * or removed, the header left out, the text cut.
 */
import fc from "fast-check"
import { modelInputs } from "../../../src/io/columns.ts"
import { parseRecords } from "../../../src/io/csv.ts"
import { type TextEdit, editText, someEdits, sometimes, textEdit } from "./json-edits.ts"
import { PropertyBroken, checkRefusal } from "./property.ts"

const decimal = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.integer({ min: -1000, max: 1000 }).map(String), fc.double({ min: -100, max: 100, noNaN: true }).map(v => v.toFixed(3)))
const nastyCell = fc.oneof(
    fc.constantFrom("0x10", "0b101", "0o17", "1e999", "-1e999", "", "  ", "NaN", "Infinity", "1,5", '"1"', 'a"b', "1_000", "٣", "１", "+.5", "5.", ".", "-", "e5", "1e", "\u2028", "a\nb", "temperature", "-0", "9".repeat(400), "x".repeat(5000)),
    fc.string({ maxLength: 6 })
)

const csvCase = fc.integer({ min: 1, max: 4 }).chain(width =>
    fc.record({
        header: fc.array(fc.constantFrom("a", "b", "temperature", "humidity", "x y", "1", "t,1", ""), { minLength: width, maxLength: width }),
        dropHeader: sometimes(fc.constant(true), false),
        rows: fc.array(fc.array(decimal, { minLength: width, maxLength: width }), { maxLength: 5 }),
        damage: someEdits(fc.record({ row: fc.nat(), col: fc.nat(), cell: fc.option(nastyCell, { nil: undefined }) })),
        columns: fc.oneof({ arbitrary: fc.constant(width), weight: 3 }, { arbitrary: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), weight: 1 }),
        crlf: fc.boolean(),
        quoteAll: fc.boolean(),
        text: textEdit(['"', ",", "\n", "\r", " ", "\u0000"]),
    })
)
export { csvCase }
type CsvCase = typeof csvCase extends fc.Arbitrary<infer T> ? T : never

function csvText(c: CsvCase): string {
    const table = [...(c.dropHeader ? [] : [c.header]), ...c.rows].map(r => [...r])
    for (const d of c.damage) {
        const row = table[d.row % table.length]
        // no cell: the row loses one (a ragged row)
        if (row && d.cell === undefined) row.splice(d.col % (row.length + 1), 1)
        else if (row) row[d.col % row.length] = d.cell!
    }
    const field = (s: string) => (c.quoteAll || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
    return editText(table.map(r => r.map(field).join(",")).join(c.crlf ? "\r\n" : "\n") + "\n", c.text as TextEdit | null)
}

export function runCsvCase(c: CsvCase): string {
    let header, rows
    try {
        const records = parseRecords(csvText(c), "in.csv")
        header = records.header
        // a model without inputNames: the columns in order, so the count must match
        rows = modelInputs(records, { inputSize: c.columns ?? header.length }).rows
    } catch (e) {
        checkRefusal(e)
        return "refused"
    }
    if (c.columns !== undefined && header.length !== c.columns) throw new PropertyBroken(`accepted ${header.length} columns for a model of ${c.columns} inputs`)
    if (!rows.length) throw new PropertyBroken("accepted a CSV without rows")
    for (const r of rows) if (r.length !== header.length || !r.every(Number.isFinite)) throw new PropertyBroken(`accepted the row ${JSON.stringify(r)}`)
    return "accepted"
}
