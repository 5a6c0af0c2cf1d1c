/**
 * The simulate runner (run/simulate.ts drives it): one step per input row
 * from the state of the chunk before, the outputs and then the state back as
 * value lines. INPUT and STATE are hex literals the host overwrites in the
 * built image before each chunk: a random marker of MARKER_BYTES, then for
 * INPUT the row count (u32, padded to INPUT_HEADER_BYTES) and per row its
 * time (when TIMED: a model with calendar inputs) and readings, f64; for
 * STATE the model's state, then the derived inputs'.
 */
import * as ds from "@devicescript/core"
import { Forecaster, restoreDerivation, snapshotDerivation, zeros } from "./lib/index"
import { model, scaling } from "./model"
import { endValues, sendValue } from "./value-lines"
import { INPUT, INPUT_HEADER_BYTES, MARKER_BYTES, STATE, TIMED } from "./params"

async function main() {
    // the sensor app's and predict()'s per-reading path; step() when the model fits one slice, as on a board
    const forecaster = new Forecaster(model, scaling, false)
    const derived = forecaster.derived
    // the state goes on from the chunk before: the model's, then the derived inputs' (all zero: a fresh start)
    model.restore(STATE.slice(MARKER_BYTES))
    if (derived) restoreDerivation(derived, STATE.slice(MARKER_BYTES + 8 * model.stateSize))
    const readings = forecaster.readings
    const stride = readings + (TIMED ? 1 : 0)
    const raw = zeros(readings)
    const rows = INPUT.getAt(MARKER_BYTES, "u32")
    for (let t = 0; t < rows; t++) {
        const at = INPUT_HEADER_BYTES + 8 * t * stride
        if (TIMED) forecaster.setTime(INPUT.getAt(at, "f64"))
        for (let j = 0; j < readings; j++) raw[j] = INPUT.getAt(at + 8 * (stride - readings + j), "f64")
        const y = await forecaster.step(raw)
        for (let j = 0; j < model.outputSize; j++) sendValue("Y", y[j])
        // ~1 µs: cheaper than working out when the watchdog needs it
        await ds.sleep(0)
    }
    endValues("Y")
    const state = Buffer.alloc(8 * model.stateSize)
    model.snapshot(state)
    for (let k = 0; k < model.stateSize; k++) sendValue("S", state.getAt(8 * k, "f64"))
    if (derived) {
        const more = Buffer.alloc(8 * derived.stateSize)
        snapshotDerivation(derived, more)
        for (let k = 0; k < derived.stateSize; k++) sendValue("S", more.getAt(8 * k, "f64"))
    }
    endValues("S")
    console.log("DONE")
}
await main()
