/**
 * The dsrnn sensor app (the main.ts `dsrnn build` compiles): it reads the
 * model's inputs from the board's Jacdac sensors every period, steps the
 * model and prints one line per prediction (src/app.ts). What differs per
 * model and board is in app-params.ts, which dsrnn writes next to it; the
 * prediction service, the saved state and the simulator's sensors are each
 * a module that dsrnn copies in as it is or as a stand-in that does nothing.
 */
import { startApp } from "./lib/app"
import { derived, inputMean, inputStd, model, outputMean, outputStd, residual } from "./model"
import { DEBOUNCE, FIELDS, MAX, MIN, NAMES, PERIOD_MS, READINGS, SAVE_EVERY, START_MS, STEPS, STEP_ASYNC, STUCK_SAMPLES, TARGETS, THRESHOLD } from "./app-params"
import { nextRow } from "./feed"
import { server } from "./predictor"
import { restoreState, saveState } from "./saved-state"

// spelled out in full: the DeviceScript compiler has no shorthand properties
await startApp(model, {
    names: NAMES,
    readings: READINGS,
    fields: FIELDS,
    min: MIN,
    max: MAX,
    periodMs: PERIOD_MS,
    startMs: START_MS,
    targets: TARGETS,
    threshold: THRESHOLD,
    anomalyDebounce: DEBOUNCE,
    stepAsync: STEP_ASYNC,
    steps: STEPS,
    stuckSamples: STUCK_SAMPLES,
    saveEvery: SAVE_EVERY,
    saveState: saveState,
    restoreState: restoreState,
    server: server,
    inputMean: inputMean,
    inputStd: inputStd,
    outputMean: outputMean,
    outputStd: outputStd,
    residual: residual,
    derived: derived,
    onSample: nextRow,
})
