/**
 * The data policy on messy CSVs: each case is one line with its counts, or a
 * one-line error when the data cannot be used. Expected counts are read off
 * the small files written here.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readColumns } from "../../src/io/columns.ts"

const dir = mkdtempSync(join(tmpdir(), "dsrnn-data-"))
function csv(name: string, text: string): string {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
}

const MESSY = csv(
    "messy.csv",
    `time,temp,hum,station
2024-01-01T00:00:00,10.5,60,north
2024-01-01T01:00:00,,61,north
2024-01-01T02:00:00,11.0,NaN,north
2024-01-01T03:00:00,11.5,n/a,north
2024-01-01T04:00:00,12.0,63,north
2024-01-01T05:00:00,oops,64,north
2024-01-01T06:00:00,12.5,65,north
`
)

describe("readColumns: the messy-data policy", () => {
    it("drops rows with empty, NaN or non-numeric cells in used columns and counts each kind", () => {
        const c = readColumns(MESSY, { target: "temp" })
        expect(c.inputNames).toEqual(["temp", "hum"])
        expect(c.inputs).toEqual([[10.5, 60], [12.0, 63], [12.5, 65]])
        expect(c.target).toEqual([10.5, 12.0, 12.5])
        expect(c.lines).toEqual([2, 6, 8])
        expect(c.notes).toEqual([
            'column "time" holds timestamps, not numbers: skipped',
            'column "station" holds text, not numbers: skipped',
            'dropped 4 rows of 7 with a missing value in a used column (1 empty cell, 2 NaN, 1 non-numeric (e.g. "oops" in temp, line 7)); the device skips such readings too',
        ])
    })

    it("reads only the columns asked for: a gap in an unused column costs no row", () => {
        const c = readColumns(MESSY, { target: "temp", inputs: ["temp"] })
        expect(c.target).toEqual([10.5, 11.0, 11.5, 12.0, 12.5])
        expect(c.notes).toContain("numeric column not in --inputs, unused: hum")
    })

    it("a target that is not in the header is an error naming the columns", () => {
        expect(() => readColumns(MESSY, { target: "temperature" })).toThrow(`no column "temperature" (--target); the header has "time", "temp", "hum", "station"`)
    })

    it("a timestamp column named as an input is an error, not a number", () => {
        expect(() => readColumns(MESSY, { target: "temp", inputs: ["time", "temp"] })).toThrow('column "time" (--inputs) holds timestamps, not numbers')
    })
})

describe("the rows' times, from the first column of ISO timestamps", () => {
    // 2024-01-01T00:00Z is 1704067200000 ms (19723 days of 86400000 ms)
    const JAN1 = 1704067200000
    const HOUR = 3600000

    it("one UTC time per kept row; naive timestamps are UTC wall clock", () => {
        const c = readColumns(MESSY, { target: "temp" })
        expect(c.times).toEqual([JAN1, JAN1 + 4 * HOUR, JAN1 + 6 * HOUR])
    })

    it("zones, seconds, fractions and plain dates; a day that does not exist is no timestamp", () => {
        const zoned = csv("zoned.csv", "when,v\n2024-01-01T06:00+01:00,1\n2024-01-01 06:00:00.5Z,2\n2024-01-02,3\n2024-01-01T06:00-0230,4\n")
        expect(readColumns(zoned, { target: "v" }).times).toEqual([JAN1 + 5 * HOUR, JAN1 + 6 * HOUR + 500, JAN1 + 24 * HOUR, JAN1 + 8.5 * HOUR])
        const feb30 = csv("feb30.csv", "when,v\n2024-02-29,1\n2024-02-30,2\n")
        expect(readColumns(feb30, { target: "v" }).times).toBeUndefined()
    })

    it("a model with calendar inputs needs them: an error without, a note on how they were read with", () => {
        const plain = csv("plain.csv", "v\n1\n2\n")
        expect(() => readColumns(plain, { target: "v", calendar: ["day"] })).toThrow(`${plain}: the model's calendar inputs (day) need each row's time, but no column holds ISO dates or times (e.g. 2024-03-01T06:00)`)
        const notes = readColumns(MESSY, { target: "temp", calendar: ["day"] }).notes
        expect(notes).toContain('times from column "time" (timestamps without a zone read as UTC)')
        // in use, so not reported as skipped
        expect(notes.join("\n")).not.toContain('column "time" holds timestamps')
        const utc = csv("utc.csv", "v,at\n1,2024-01-01T00:00Z\n")
        expect(readColumns(utc, { target: "v", calendar: ["week"] }).notes).toContain('times from column "at"')
    })
})
