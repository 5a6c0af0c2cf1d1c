import * as ds from "@devicescript/core"
import { SensorServer } from "@devicescript/server"
import { AnomalyCheck } from "./anomaly"
import { APP_DONE, predictionLine } from "./console-lines"
import { zeros } from "./layer"
import { Forecaster, Scaling } from "./forecaster"
import { Model } from "./model"

/**
 * The device app: samples Jacdac sensor roles at a fixed rate, steps the
 * model on each complete, plausible sample and prints one parseable line per
 * prediction. The main program that calls startApp is tools/device/app.ts,
 * with the feature mapping the host writes (tools/src/board/app-program.ts).
 */

/** The model's scaling (inputMean, ..., residual, derived) and how the app samples and reports. */
export interface AppConfig extends Scaling {
    /** The sensor feeding each reading (the model's inputs before the derived ones), in order, as fault messages name it. */
    names: string[]
    /**
     * Per input, the reading register of the Jacdac client that feeds it
     * (inputs from one client, such as accel_x/y/z, share it). The generated
     * app-params.ts creates only the clients the model reads; unused with `source`.
     */
    readings?: ds.Register<any>[]
    /** Per input, its index in a reading of several values (x, y, z), or -1 for a reading that is one number. */
    fields?: number[]
    /** Valid range per input (the sensor table or --range); a reading outside it is a sensor fault. */
    min: number[]
    max: number[]
    periodMs: number
    /**
     * UTC ms of the first sample, for a model with calendar inputs. A board
     * has no calendar clock, so sample n is taken to be at startMs + n *
     * the model's rowMs: one sample period is one row of the model, and a
     * faulty sample is a row of time too.
     */
    startMs?: number
    /** Per output, the input it forecasts one step ahead, or -1: the anomaly flag compares them. */
    targets: number[]
    /** |prediction - next observation| above this sets the anomaly flag; 0 turns it off. */
    threshold: number
    /**
     * [count, window]: the flag is set while at least count of the last
     * window predictions were over the threshold (model.json
     * `anomaly.debounce`, from train --false-alarms); absent: [1, 1].
     */
    anomalyDebounce?: number[]
    /** Suspend inside a step (Model.stepAsync): chosen by the host's budget check. */
    stepAsync: boolean
    /** Stop after this many predictions (0 = run forever); the simulator deploy uses it. */
    steps: number
    /**
     * Save the model state every this many predictions (0 = never) with
     * saveState, and restore a valid saved state at start with restoreState.
     * The app passes saveState/restoreState (src/state-store.ts) only when it
     * persists (tools/device/app-saved-state.ts), so an app without persistence
     * does not link @devicescript/settings.
     */
    saveEvery?: number
    saveState?: (model: Model) => Promise<void>
    restoreState?: (model: Model) => Promise<boolean>
    /** Publishes each prediction (a PredictorServer on the "dsrnn predictor" custom service, already started). */
    server?: PredictorServer
    /** Called after each sample period, faulty or not; the simulated sensor feed advances its rows with it. */
    onSample?: () => void
    /**
     * A reading equal to the previous stuckSamples - 1 readings of the same
     * input is a stuck sensor: reported, and not stepped until the value
     * changes (0 or absent: off).
     */
    stuckSamples?: number
    /** Where readings come from; the Jacdac sensor roles when absent. */
    source?: SampleSource
}

/** Readings per model input: Jacdac roles on a board, anything else a program supplies. */
export interface SampleSource {
    /** Whether the sensor for input `j` is there now. */
    bound(j: number): boolean
    /** One reading of input `j`; NaN stands for "no value". */
    read(j: number): Promise<number>
}

/** The Jacdac client roles of the inputs, as the generated main created them. */
class Sensors implements SampleSource {
    roles: ds.Role[]

    constructor(
        private readings: ds.Register<any>[],
        private fields: number[]
    ) {
        this.roles = readings.map(r => r.role)
    }

    /** Waits up to `ms` for every role to find its sensor, as a board does after boot. */
    async bind(ms: number) {
        for (let waited = 0; waited < ms; waited += 100) {
            let bound = true
            for (const role of this.roles) if (!role.isBound) bound = false
            if (bound) return
            await ds.sleep(100)
        }
    }

    bound(j: number): boolean {
        return this.roles[j].isBound
    }

    /** One reading; NaN stands for "no value", which the caller reports as a fault. */
    async read(j: number): Promise<number> {
        if (!this.roles[j].isBound) return NaN
        const r = await this.readings[j].read()
        const field = this.fields[j]
        const v = field < 0 ? r : r ? r[field] : NaN
        return typeof v === "number" ? v : NaN
    }
}

/**
 * The server side of the "dsrnn predictor" custom service (services/dsrnnpredictor.md):
 * readable registers holding the latest prediction's first output, the anomaly
 * flag and the step count. The spec is passed in (ds.DsrnnPredictor.spec), so
 * this library builds without the custom service; the app's predictor.ts
 * (tools/device/app-predictor.ts), whose project has services/, creates it
 * and starts it with startServer.
 */
export class PredictorServer extends SensorServer {
    value = 0
    flag = 0
    count = 0

    constructor(spec: ds.ServiceSpec) {
        super(spec, { interval: 500 })
    }

    reading(): number {
        return this.value
    }

    anomaly(): number {
        return this.flag
    }

    step(): number {
        return this.count
    }
}

/** How many readings in a row each input has repeated, to detect a stuck sensor. */
class Repeats {
    last: number[]
    count: number[]

    constructor(n: number) {
        this.last = zeros(n)
        this.count = zeros(n)
    }

    /** Counts v for input j; returns how many readings in a row equal it. */
    add(j: number, v: number): number {
        this.count[j] = v === this.last[j] ? this.count[j] + 1 : 1
        this.last[j] = v
        return this.count[j]
    }
}

/** Reads every input into x; returns "" or the description of the first fault. */
async function sample(source: SampleSource, config: AppConfig, repeats: Repeats, x: number[]): Promise<string> {
    const stuck = config.stuckSamples || 0
    for (let j = 0; j < x.length; j++) {
        const name = config.names[j]
        if (!source.bound(j)) return `${name} not bound`
        const v = await source.read(j)
        if (isNaN(v)) return `${name} gave no value`
        if (v < config.min[j] || v > config.max[j])
            return `${name}=${v} outside [${config.min[j]}, ${config.max[j]}]`
        if (stuck > 0 && repeats.add(j, v) >= stuck) return `${name} stuck at ${v} (${stuck} readings alike)`
        x[j] = v
    }
    return ""
}

/**
 * Runs the sample-predict loop. Lines printed (one per event):
 *   dsrnn: t=<step> y=[<y0>,<y1>,...] anomaly=<0|1> f64=<hex>
 *                                  (console-lines.ts predictionLine, which the host parses)
 *   dsrnn: fault <description>     (prediction paused; the reading never reaches the state):
 *                                  not bound, gave no value, outside [min, max], stuck at v
 *                                  (printed once per fault, not per sample)
 *   dsrnn: resumed
 *   dsrnn: done                    (after config.steps predictions)
 */
export async function startApp(model: Model, config: AppConfig) {
    const sensors = config.source ? null : new Sensors(config.readings, config.fields)
    const source: SampleSource = config.source || sensors
    const forecaster = new Forecaster(model, config, config.stepAsync)
    const repeats = new Repeats(forecaster.readings)
    const raw = zeros(forecaster.readings)
    const rowMs = config.derived ? config.derived.f.rowMs : 0
    let samples = 0
    const anomalies = new AnomalyCheck(config.targets, config.threshold, config.anomalyDebounce)
    const exact = Buffer.alloc(8 * model.outputSize)
    let t = 0
    let fault = ""
    const saveEvery = config.saveState ? config.saveEvery || 0 : 0
    if (saveEvery > 0 && config.restoreState) await config.restoreState(model)
    if (sensors) await sensors.bind(3000)
    console.log(`dsrnn: start inputs=${forecaster.readings} outputs=${model.outputSize} period=${config.periodMs}ms ${forecaster.stepsAsync ? "stepAsync" : "step"}`)
    while (config.steps === 0 || t < config.steps) {
        const started = ds.millis()
        const problem = await sample(source, config, repeats, raw)
        if (problem) {
            if (problem !== fault) console.log(`dsrnn: fault ${problem}`)
            fault = problem
        } else {
            if (fault) console.log("dsrnn: resumed")
            fault = ""
            const anomaly = anomalies.check(raw)
            if (config.startMs !== undefined) forecaster.setTime(config.startMs + samples * rowMs)
            const y = await forecaster.step(raw)
            anomalies.remember(y)
            for (let j = 0; j < y.length; j++) exact.setAt(8 * j, "f64", y[j])
            console.log(predictionLine(t, y, anomaly, exact.toString("hex")))
            t++
            if (config.server) {
                config.server.value = y[0]
                config.server.flag = anomaly
                config.server.count = t
            }
            if (saveEvery > 0 && t % saveEvery === 0) await config.saveState(model)
        }
        if (config.onSample) config.onSample()
        samples++
        await ds.sleep(Math.max(0, config.periodMs - (ds.millis() - started)))
    }
    console.log(APP_DONE)
}
