/**
 * The one CSV reader: each dialect a spreadsheet writes, and the model's
 * columns found by name. Every expected row is the numbers written by hand in
 * the CSV text of the test, in the model's input order (t, h, p), so the
 * oracle is the text itself, not a second reader.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readModelColumns, readModelInputs } from "../../src/io/columns.ts"
import { parseDelimiter } from "../../src/io/csv.ts"

const dir = mkdtempSync(join(tmpdir(), "dsrnn-csv-"))
let files = 0
function csv(text: string): string {
    const file = join(dir, `f${files++}.csv`)
    writeFileSync(file, text)
    return file
}

const MODEL = { inputNames: ["t", "h", "p"], outputNames: ["t"], inputSize: 3 }
/** The rows of every file below, in the model's order t, h, p. */
const ROWS = [
    [1.25, 60, 1013.5],
    [-0.5, 61.75, 1012],
]

describe("dialects: the same numbers from each", () => {
    it("comma-separated", () => {
        expect(readModelInputs(csv("t,h,p\n1.25,60,1013.5\n-0.5,61.75,1012\n"), MODEL)).toEqual({ rows: ROWS, notes: [] })
    })

    it("semicolon-separated with decimal commas, detected from the header and said once", () => {
        const r = readModelInputs(csv("t;h;p\n1,25;60;1013,5\n-0,5;61,75;1012\n"), MODEL)
        expect(r.rows).toEqual(ROWS)
        expect(r.notes).toEqual(["read as ;-separated with decimal commas (detected from the header; --delimiter to change)"])
    })

    it("tab-separated", () => {
        const r = readModelInputs(csv("t\th\tp\n1.25\t60\t1013.5\n-0.5\t61.75\t1012\n"), MODEL)
        expect(r.rows).toEqual(ROWS)
        expect(r.notes).toEqual(["read as tab-separated (detected from the header; --delimiter to change)"])
    })

    it("a BOM, CRLF line ends and quoted fields", () => {
        expect(readModelInputs(csv('\uFEFF"t",h,"p"\r\n1.25,"60",1013.5\r\n-0.5,61.75,"1012"\r\n'), MODEL).rows).toEqual(ROWS)
        // a quoted name holding a comma does not count as a delimiter
        const semi = readModelInputs(csv('"t, C";h;p\r\n"1,25";60;1013,5\r\n-0,5;61,75;1012\r\n'), { ...MODEL, inputNames: ["t, C", "h", "p"] })
        expect(semi.rows).toEqual(ROWS)
    })

    it("--delimiter ; reads decimal commas too, and the note drops the word detected", () => {
        const r = readModelInputs(csv("t;h;p\n1,25;60;1013,5\n-0,5;61,75;1012\n"), MODEL, ";")
        expect(r.rows).toEqual(ROWS)
        expect(r.notes).toEqual(["read as ;-separated with decimal commas"])
    })

    it("a comma file keeps 1,25 as two cells, and a ; file refuses 1.013,5 rather than guess the grouping", () => {
        expect(() => readModelInputs(csv("t,h,p\n1,25,60,1013.5\n"), MODEL)).toThrow("line 2 has 4 columns, the header has 3")
        expect(() => readModelInputs(csv("t;h;p\n1,25;60;1.013,5\n"), MODEL)).toThrow('line 2, column 3 ("p") is "1.013,5", not a finite number in decimal notation')
    })

    it("a header glued into one column names --delimiter", () => {
        const path = csv("t;h;p\n1,25;60;1013,5\n")
        expect(() => readModelInputs(path, MODEL, ",")).toThrow(`${path}: the header is one column "t;h;p", which looks ;-separated; pass --delimiter ";"`)
        expect(() => readModelInputs(csv("t\th\tp\n1\t2\t3\n"), MODEL, ";")).toThrow("which looks tab-separated; pass --delimiter tab")
    })

    it("a one-column file with decimal commas is refused with the hint, and read with --delimiter ;", () => {
        const path = csv("t\n1,25\n-0,5\n")
        const one = { inputNames: ["t"], inputSize: 1 }
        expect(() => readModelInputs(path, one)).toThrow(`${path}: the header is one column, but line 2 has 2 cells ("1,25"); if that is one number with a decimal comma, pass --delimiter ";"`)
        expect(readModelInputs(path, one, ";").rows).toEqual([[1.25], [-0.5]])
    })

    it("--delimiter takes , ; tab or one other character", () => {
        expect([",", ";", "tab", "\\t", "|"].map(parseDelimiter)).toEqual([",", ";", "\t", "\t", "|"])
        for (const bad of ["", ";;", "x", "1", ".", "-", '"'])
            expect(() => parseDelimiter(bad)).toThrow(`--delimiter must be ",", ";", "tab" or one other character`)
    })
})

describe("the model's columns by name", () => {
    it("columns in another order, with a date column, give the model the same rows", () => {
        const r = readModelInputs(csv("p,date,h,t\n1013.5,2024-01-01,60,1.25\n1012,2024-01-02,61.75,-0.5\n"), MODEL)
        expect(r.rows).toEqual(ROWS)
        expect(r.notes).toEqual(["skipping columns not in the model: date"])
    })

    it("evaluate and report read the same rows and the target by name", () => {
        const c = readModelColumns(csv("p;date;h;t\n1013,5;2024-01-01;60;1,25\n1012;2024-01-02;61,75;-0,5\n"), MODEL, {})
        expect(c.inputs).toEqual(ROWS)
        expect(c.target).toEqual([1.25, -0.5])
        expect(c.notes).toEqual(["read as ;-separated with decimal commas (detected from the header; --delimiter to change)", "skipping columns not in the model: date"])
    })

    it("a missing column is an error naming it and listing the header", () => {
        const path = csv("p,date,t\n1013.5,2024-01-01,1.25\n")
        expect(() => readModelInputs(path, MODEL)).toThrow(`${path}: no column "h" (the model's inputNames); the header has "p", "date", "t"`)
        expect(() => readModelColumns(path, MODEL, {})).toThrow(`${path}: no column "h" (the model's inputNames); the header has "p", "date", "t"`)
    })

    it("a column named twice is refused, not taken at random", () => {
        expect(() => readModelInputs(csv("t,h,p,h\n1,2,3,4\n"), MODEL)).toThrow('two columns are named "h" (the model\'s inputNames), columns 2 and 4; rename one')
    })

    it("a model without inputNames takes the columns in order and says so", () => {
        const unnamed = { inputSize: 3 }
        const r = readModelInputs(csv("p,h,t\n1013.5,60,1.25\n"), unnamed)
        expect(r.rows).toEqual([[1013.5, 60, 1.25]])
        expect(r.notes).toEqual(["the model has no inputNames: its 3 readings are the CSV's columns in order (p, h, t)"])
        expect(() => readModelInputs(csv("date,p,h,t\n2024-01-01,1013.5,60,1.25\n"), unnamed)).toThrow(
            "the header has 4 columns, the model takes 3 readings (it has no inputNames, so the columns are its readings in order)"
        )
    })
})
