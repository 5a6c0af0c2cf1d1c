import * as ds from "@devicescript/core"
import { Model, zeros } from "../src/index"

export function expectClose(actual: number, expected: number, tol: number, what: string) {
    if (!(Math.abs(actual - expected) <= tol))
        throw new Error(`${what}: expected ${expected} +/- ${tol}, got ${actual}`)
}

/** Reads row t of a row-major f64 table. */
export function readRow(table: Buffer, t: number, row: number[]) {
    const n = row.length
    for (let j = 0; j < n; j++) row[j] = table.getAt(8 * (t * n + j), "f64")
}

/**
 * Steps the model over `inputs` from zero state and compares every output
 * with `expected` (both f64 tables written by the fixture generator).
 */
export interface Fixture {
    model: Model
    inputs: Buffer
    expected: Buffer
}

export async function expectSequence(fixture: Fixture, tol: number) {
    await expectSteps(fixture, 0, stepCount(fixture), tol, false)
}

export function stepCount(fixture: Fixture) {
    return fixture.inputs.length / (8 * fixture.model.inputSize)
}

/** Steps [from, to) of the fixture, with step or stepAsync (suspending every 10 multiply-adds). */
export async function expectSteps(fixture: Fixture, from: number, to: number, tol: number, useAsync: boolean) {
    const model = fixture.model
    const inputs = fixture.inputs
    const expected = fixture.expected
    const x = zeros(model.inputSize)
    const y = zeros(model.outputSize)
    const want = zeros(model.outputSize)
    for (let t = from; t < to; t++) {
        readRow(inputs, t, x)
        readRow(expected, t, want)
        // Tests share one fiber; suspending resets the watchdog's opcode count.
        await ds.sleep(0)
        if (useAsync) await model.stepAsync(x, y, 10)
        else model.step(x, y)
        for (let j = 0; j < y.length; j++) expectClose(y[j], want[j], tol, `step ${t} output ${j}`)
    }
}

/** The fixture in one call per step, then again from zero state sliced by stepAsync. */
export async function expectStepAndSliced(fixture: Fixture, tol: number) {
    fixture.model.reset()
    await expectSequence(fixture, tol)
    fixture.model.reset()
    await expectSteps(fixture, 0, stepCount(fixture), tol, true)
}
