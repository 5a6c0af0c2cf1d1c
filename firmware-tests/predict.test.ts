import * as ds from "@devicescript/core"
import { SensorServer, startServer } from "@devicescript/server"
import { describe, expect, test } from "@devicescript/test"
import { Observable, from, map } from "@devicescript/observables"
import { Model, anomaly, predict, zeros } from "../src/index"
import { expectClose, readRow, stepCount } from "./check"
import { lstmI8 } from "./fixtures/lstm_i8.g"

const ROWS = 240

// The fixture's rows first (checked against its float64 outputs), then a
// deterministic sensor-like signal, so the burst is long enough to trip the
// watchdog if nothing suspended: ~5,000 opcodes per step, 131,072 per slice.
function inputRows(): number[][] {
    const rows: number[][] = []
    const fixtureRows = stepCount(lstmI8)
    for (let t = 0; t < ROWS; t++) {
        const r = zeros(3)
        if (t < fixtureRows) readRow(lstmI8.inputs, t, r)
        else {
            r[0] = Math.abs((t % 40) - 20) / 10 - 1
            r[1] = ((t * 7919) % 13) / 6.5 - 1
            r[2] = t % 30 < 15 ? 0.8 : -0.8
        }
        rows.push(r)
    }
    return rows
}

/** What model.step gives on `rows` from zero state: output 0 per row. */
async function stepAll(model: Model, rows: number[][]): Promise<number[]> {
    model.reset()
    const y = zeros(model.outputSize)
    const out: number[] = []
    for (let t = 0; t < rows.length; t++) {
        model.step(rows[t], y)
        out.push(y[0])
        if (t % 10 === 9) await ds.sleep(0) // the watchdog: this loop is ours, not the code under test
    }
    return out
}

/** Subscribes, waits until `count` values arrived (or ~5 s passed), returns them. */
async function collect<T>(obs: Observable<T>, count: number): Promise<T[]> {
    const got: T[] = []
    const sub = obs.subscribe(v => {
        got.push(v)
    })
    for (let i = 0; i < 500 && got.length < count; i++) await ds.sleep(10)
    sub.unsubscribe()
    return got
}

describe("predict() operator", () => {
    test("from(rows) over 240 rows equals model.step on the same rows, without tripping the watchdog", async () => {
        const model: Model = lstmI8.model
        const rows = inputRows()
        const want = await stepAll(model, rows)
        model.reset()
        const got = await collect(from(rows).pipe(predict(model), map(y => y[0])), ROWS)
        expect(got.length).toBe(ROWS)
        for (let t = 0; t < ROWS; t++) expectClose(got[t], want[t], 0, `row ${t}`)
        // and the first rows against the float64 reference, not only against ourselves
        const ref = zeros(1)
        for (let t = 0; t < stepCount(lstmI8); t++) {
            readRow(lstmI8.expected, t, ref)
            expectClose(got[t], ref[0], 1e-9, `row ${t} vs float64`)
        }
    })

    test("applies the scaling: raw readings in, real units out; a residual scaling adds the raw input back", async () => {
        const model: Model = lstmI8.model
        const rows = inputRows().slice(0, 30)
        const normalized = rows.map(r => [(r[0] - 10) / 2, r[1], r[2]])
        const want = await stepAll(model, normalized)
        const level = { inputMean: [10, 0, 0], inputStd: [2, 1, 1], outputMean: [20], outputStd: [5] }
        const change = { inputMean: [10, 0, 0], inputStd: [2, 1, 1], outputMean: [0.5], outputStd: [3], residual: [0] }
        model.reset()
        const got = await collect(from(rows).pipe(predict(model, level), map(y => y[0])), rows.length)
        model.reset()
        const gotChange = await collect(from(rows).pipe(predict(model, change), map(y => y[0])), rows.length)
        expect(got.length).toBe(rows.length)
        expect(gotChange.length).toBe(rows.length)
        for (let t = 0; t < rows.length; t++) {
            expectClose(got[t], want[t] * 5 + 20, 1e-12, `row ${t}`)
            expectClose(gotChange[t], want[t] * 3 + 0.5 + rows[t][0], 1e-12, `residual row ${t}`)
        }
    })

    test("anomaly() flags a reading far from the previous forecast", async () => {
        const model: Model = lstmI8.model
        const rows = inputRows().slice(0, 60)
        rows[40][0] += 25 // a spike in the input that output 0 forecasts
        const y = await stepAll(model, rows)
        const threshold = 3
        model.reset()
        const flags = await collect(from(rows).pipe(anomaly(model, threshold)), rows.length)
        expect(flags.length).toBe(rows.length)
        let flagged = 0
        for (let t = 0; t < rows.length; t++) {
            const want = t > 0 && Math.abs(y[t - 1] - rows[t][0]) > threshold ? 1 : 0
            expect(flags[t]).toBe(want)
            flagged += flags[t]
        }
        expect(flags[40]).toBe(1)
        expect(flagged < 5).toBe(true)
    })
})

/** A temperature sensor serving a fixed sequence, one value per streamed reading. */
class Replay extends SensorServer {
    i = 0
    constructor(private values: number[]) {
        super(ds.Temperature.spec, { interval: 50 })
    }
    reading(): number {
        return this.values[Math.min(this.i++, this.values.length - 1)]
    }
}

describe("predict() on a simulated sensor", () => {
    test("temperature.reading.pipe(map, predict) equals model.step on the readings received", async () => {
        const model: Model = lstmI8.model
        const values: number[] = []
        for (let t = 0; t < 40; t++) values.push(20 + Math.abs((t % 10) - 5) / 4 + t / 100)
        startServer(new Replay(values))
        const temperature = new ds.Temperature()
        const received: number[][] = []
        model.reset()
        const got = await collect(
            temperature.reading.pipe(
                map(v => {
                    // what the role delivered (Jacdac rounds to fixed point), replayed below
                    const r = [v, 0.25, -0.5]
                    received.push(r)
                    return r
                }),
                predict(model),
                map(y => y[0])
            ),
            12
        )
        expect(got.length >= 12).toBe(true)
        const want = await stepAll(model, received)
        for (let t = 0; t < got.length; t++) expectClose(got[t], want[t], 0, `reading ${t}`)
    })
})
