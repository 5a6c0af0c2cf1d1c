/**
 * feed.ts of the app in the simulator: one sensor server per sensor class
 * (FEED_SPECS), replaying ROWS (one column per model reading) through the
 * same Jacdac roles a board's sensors serve. The app calls nextRow after
 * each sample period, and the servers stream every 100 ms, so a period of a
 * few hundred ms reads each row exactly once.
 */
import * as ds from "@devicescript/core"
import { SensorServer, startServer } from "@devicescript/server"
import { FEED_COLUMNS, FEED_SPECS, ROWS } from "./app-params"

let row = 0

/** Serves columns of the current row (-1: an axis the model does not read, 0). */
class Feed extends SensorServer {
    constructor(spec: ds.ServiceSpec, private cols: number[]) {
        super(spec, { interval: 100 })
    }

    reading(): any {
        const r = ROWS[Math.min(row, ROWS.length - 1)]
        const v = this.cols.map(c => (c < 0 ? 0 : r[c]))
        return v.length === 1 ? v[0] : v
    }
}

for (let i = 0; i < FEED_SPECS.length; i++) startServer(new Feed(FEED_SPECS[i], FEED_COLUMNS[i]))

export function nextRow() {
    row++
}
