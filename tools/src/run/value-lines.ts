/**
 * Numbers out of the VM through its console, which cuts a line at 296
 * characters without a word (measured). Values travel as f64 hex in lines of
 * at most LINE_VALUES, each line tagged with its stream and the index of its
 * first value; a closing line gives the stream's count. The host checks
 * every index and the count, so a cut or lost line is an error, never a
 * silently short row.
 */
import { UserError } from "../core/errors.ts"

/** 16 values = 256 hex characters, plus "Y 1234567 " well under the 296-character cut. */
export const LINE_VALUES = 16

/**
 * DeviceScript declarations for the program: `sendValue(tag, v)` queues one
 * value of stream `tag` ("Y", "S", ...: one stream at a time), `endValues(tag)`
 * flushes it and prints its count. `lineValues` per line: the simulator's
 * LINE_VALUES, fewer where a firmware cuts lines shorter.
 */
export function valueSender(lineValues: number): string {
    return `const LINE_BUF = Buffer.alloc(${8 * lineValues})
let lineFilled = 0
let lineStart = 0
function flushValues(tag: string) {
    if (lineFilled === 0) return
    console.log(tag + " " + lineStart + " " + LINE_BUF.slice(0, 8 * lineFilled).toString("hex"))
    lineStart += lineFilled
    lineFilled = 0
}
function sendValue(tag: string, v: number) {
    LINE_BUF.setAt(8 * lineFilled, "f64", v)
    lineFilled++
    if (lineFilled === ${lineValues}) flushValues(tag)
}
function endValues(tag: string) {
    flushValues(tag)
    console.log(tag + " end " + lineStart)
    lineStart = 0
}`
}

export const VALUE_SENDER = valueSender(LINE_VALUES)

/** The values of stream `tag` in `lines`, checked line by line; exactly `count` of them or a UserError. */
export function readValues(lines: string[], tag: string, count: number): number[] {
    const values: number[] = []
    let end: number | undefined
    for (const line of lines) {
        if (!line.startsWith(tag + " ")) continue
        const [, at, hex] = line.split(" ")
        if (at === "end") {
            end = Number(hex)
            continue
        }
        const bytes = Buffer.from(hex ?? "", "hex")
        if (Number(at) !== values.length || bytes.length === 0 || bytes.length % 8 !== 0 || 2 * bytes.length !== hex.length)
            throw new UserError(`the simulator's output is damaged: line "${line.slice(0, 40)}..." (expected ${tag} values from index ${values.length})`)
        for (let i = 0; i < bytes.length; i += 8) values.push(bytes.readDoubleLE(i))
    }
    if (end !== values.length || values.length !== count)
        throw new UserError(`the simulator sent ${values.length} ${tag} values (it counted ${end ?? "none"}), expected ${count}: ${lines.slice(-3).join(" | ")}`)
    return values
}
