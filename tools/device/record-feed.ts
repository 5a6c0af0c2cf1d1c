/**
 * record-feed.ts of the recorder in the simulator: one sensor server per
 * role whose sensors have a column (FEED_SPECS), replaying REPLAY (f64 hex in
 * flash, so no heap: REPLAY_ROWS rows of one value per recorded sensor).
 * Holds the last row at the end.
 */
import * as ds from "@devicescript/core"
import { SensorServer, startServer } from "@devicescript/server"
import { FEED_SLOTS, FEED_SPECS, FEED_VECTOR, NAMES, REPLAY, REPLAY_ROWS } from "./record-params"

let replayRow = 0

/** Serves columns of the current replay row (-1: an axis not recorded, 0). */
class Feed extends SensorServer {
    constructor(spec: ds.ServiceSpec, private cols: number[], private vector: boolean) {
        super(spec, { interval: 100 })
    }

    reading(): any {
        const r = Math.min(replayRow, REPLAY_ROWS - 1)
        const v = this.cols.map(c => (c < 0 ? 0 : REPLAY.getAt(8 * (r * NAMES.length + c), "f64")))
        return this.vector ? v : v[0]
    }
}

for (let i = 0; i < FEED_SPECS.length; i++) startServer(new Feed(FEED_SPECS[i], FEED_SLOTS[i], FEED_VECTOR[i]))

export function nextRow() {
    replayRow++
}
