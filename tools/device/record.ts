/**
 * The recorder that `dsrnn record` deploys (tools/src/board/record-program.ts
 * writes record-params.ts and parses the lines): it reads the sensor roles
 * every period and prints one line per row, each reading as f64 hex.
 *   dsrnn-rec: missing <sensor>,...   (sensors not bound after WAIT_MS; then it stops)
 *   dsrnn-rec: start
 *   dsrnn-rec: <i> <ms> <hex>         (row i, sampled at device time ms: one f64 per sensor, NaN = no value)
 *   dsrnn-rec: done
 */
import * as ds from "@devicescript/core"
import { RECORD_PREFIX } from "./lib/console-lines"
import { FIELD_OF, NAMES, PERIOD_MS, READINGS, ROLE_OF, ROWS, WAIT_MS } from "./record-params"
import { nextRow } from "./record-feed"

const ROW = Buffer.alloc(8 * NAMES.length)

function num(v: any): number {
    return typeof v === "number" ? v : NaN
}

function allBound(): boolean {
    for (const r of READINGS) if (!r.role.isBound) return false
    return true
}

let waited = 0
while (waited < WAIT_MS && !allBound()) {
    await ds.sleep(100)
    waited += 100
}
if (!allBound()) {
    let missing = ""
    for (let j = 0; j < NAMES.length; j++) if (!READINGS[ROLE_OF[j]].role.isBound) missing += "," + NAMES[j]
    console.log(RECORD_PREFIX + "missing " + missing.slice(1))
} else {
    console.log(RECORD_PREFIX + "start")
    for (let i = 0; i < ROWS; i++) {
        const started = ds.millis()
        // one read per role: the axes of one accelerometer come from the same reading
        for (let r = 0; r < READINGS.length; r++) {
            const v: any = READINGS[r].role.isBound ? await READINGS[r].read() : undefined
            for (let j = 0; j < NAMES.length; j++) {
                if (ROLE_OF[j] !== r) continue
                const f = FIELD_OF[j]
                ROW.setAt(8 * j, "f64", f < 0 ? num(v) : v ? num(v[f]) : NaN)
            }
        }
        console.log(RECORD_PREFIX + i + " " + started + " " + ROW.toString("hex"))
        if (nextRow) nextRow()
        await ds.sleep(Math.max(0, PERIOD_MS - (ds.millis() - started)))
    }
    console.log(RECORD_PREFIX + "done")
}
