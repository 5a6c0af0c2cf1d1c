/**
 * The device half of the value lines (src/console-lines.ts has the format,
 * tools/src/run/value-lines.ts reads them): sendValue(tag, v) queues one value
 * of stream `tag` ("Y", "S", ...: one stream at a time), endValues(tag)
 * flushes it and prints its count.
 */
import { LINE_VALUES, endLine, valueLine } from "./lib/console-lines"

const LINE_BUF = Buffer.alloc(8 * LINE_VALUES)
let lineFilled = 0
let lineStart = 0

function flushValues(tag: string) {
    if (lineFilled === 0) return
    console.log(valueLine(tag, lineStart, LINE_BUF.slice(0, 8 * lineFilled).toString("hex")))
    lineStart += lineFilled
    lineFilled = 0
}

export function sendValue(tag: string, v: number) {
    LINE_BUF.setAt(8 * lineFilled, "f64", v)
    lineFilled++
    if (lineFilled === LINE_VALUES) flushValues(tag)
}

export function endValues(tag: string) {
    flushValues(tag)
    console.log(endLine(tag, lineStart))
    lineStart = 0
}
