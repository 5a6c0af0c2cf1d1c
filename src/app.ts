import * as ds from "@devicescript/core"
import { SensorServer } from "@devicescript/server"
import { AnomalyCheck } from "./anomaly"
import { zeros } from "./layer"
import { Forecaster, Scaling } from "./forecaster"
import { Model } from "./model"

/**
 * The device app: samples Jacdac sensor roles at a fixed rate, steps the
 * model on each complete, plausible sample and prints one parseable line per
 * prediction. The host tools generate the main program that calls startApp
 * with the feature mapping (tools/src/board/app-program.ts).
 */

/** Sensor features a model input can come from; values shared with tools/src/board/app-program.ts. */
export const enum Feature {
    Temperature = 0,
    Humidity = 1,
    Pressure = 2,
    AccelX = 3,
    AccelY = 4,
    AccelZ = 5,
}

/** The model's scaling (inputMean, ..., residual) and how the app samples and reports. */
export interface AppConfig extends Scaling {
    /** The feature feeding each model input, in input order. */
    features: Feature[]
    /** Plausible range per input; a reading outside it is a sensor fault. */
    min: number[]
    max: number[]
    periodMs: number
    /** Per output, the input it forecasts one step ahead, or -1: the anomaly flag compares them. */
    targets: number[]
    /** |prediction - next observation| above this sets the anomaly flag; 0 turns it off. */
    threshold: number
    /** Suspend inside a step (Model.stepAsync): chosen by the host's budget check. */
    stepAsync: boolean
    /** Stop after this many predictions (0 = run forever); the simulator deploy uses it. */
    steps: number
    /**
     * Save the model state every this many predictions (0 = never) with
     * saveState, and restore a valid saved state at start with restoreState.
     * The generated main passes saveState/restoreState (src/state-store.ts) only when it
     * persists, so an app without persistence does not link @devicescript/settings.
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

/** Readings per feature: Jacdac roles on a board, anything else a program supplies. */
export interface SampleSource {
    /** Whether the sensor for `f` is there now. */
    bound(f: Feature): boolean
    /** One reading; NaN stands for "no value". */
    read(f: Feature): Promise<number>
}

const NAMES = ["temperature", "humidity", "pressure", "accel_x", "accel_y", "accel_z"]

/** The Jacdac client roles, created only for the sensors the model reads. */
class Sensors implements SampleSource {
    temperature: ds.Temperature
    humidity: ds.Humidity
    pressure: ds.AirPressure
    accel: ds.Accelerometer

    constructor(features: Feature[]) {
        for (const f of features) {
            if (f === Feature.Temperature && !this.temperature) this.temperature = new ds.Temperature()
            else if (f === Feature.Humidity && !this.humidity) this.humidity = new ds.Humidity()
            else if (f === Feature.Pressure && !this.pressure) this.pressure = new ds.AirPressure()
            else if (f >= Feature.AccelX && !this.accel) this.accel = new ds.Accelerometer()
        }
    }

    /** Waits up to `ms` for every role to find its sensor, as a board does after boot. */
    async bind(features: Feature[], ms: number) {
        for (let waited = 0; waited < ms; waited += 100) {
            let bound = true
            for (const f of features) if (!this.role(f).isBound) bound = false
            if (bound) return
            await ds.sleep(100)
        }
    }

    bound(f: Feature): boolean {
        return this.role(f).isBound
    }

    role(f: Feature): ds.Role {
        if (f === Feature.Temperature) return this.temperature
        if (f === Feature.Humidity) return this.humidity
        if (f === Feature.Pressure) return this.pressure
        return this.accel
    }

    /** One reading; NaN stands for "no value", which the caller reports as a fault. */
    async read(f: Feature): Promise<number> {
        if (!this.role(f).isBound) return NaN
        let v: number
        if (f === Feature.Temperature) v = await this.temperature.reading.read()
        else if (f === Feature.Humidity) v = await this.humidity.reading.read()
        else if (f === Feature.Pressure) v = await this.pressure.reading.read()
        else {
            const xyz = await this.accel.reading.read()
            v = xyz ? xyz[f - Feature.AccelX] : NaN
        }
        return typeof v === "number" ? v : NaN
    }
}

/**
 * The server side of the "dsrnn predictor" custom service (services/dsrnnpredictor.md):
 * readable registers holding the latest prediction's first output, the anomaly
 * flag and the step count. The spec is passed in (ds.DsrnnPredictor.spec), so
 * this library builds without the custom service; the generated main.ts, whose
 * project has services/, creates it and starts it with startServer.
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
        const f = config.features[j]
        if (!source.bound(f)) return `${NAMES[f]} not bound`
        const v = await source.read(f)
        if (isNaN(v)) return `${NAMES[f]} gave no value`
        if (v < config.min[j] || v > config.max[j])
            return `${NAMES[f]}=${v} outside [${config.min[j]}, ${config.max[j]}]`
        if (stuck > 0 && repeats.add(j, v) >= stuck) return `${NAMES[f]} stuck at ${v} (${stuck} readings alike)`
        x[j] = v
    }
    return ""
}

/**
 * Runs the sample-predict loop. Lines printed (one per event):
 *   dsrnn: t=<step> y=[<y0>,<y1>,...] anomaly=<0|1> f64=<hex>
 * y is printed with the VM's ~7 significant digits; f64 is the exact outputs,
 * little-endian float64 in hex, for hosts that compare results.
 *   dsrnn: fault <description>     (prediction paused; the reading never reaches the state):
 *                                  not bound, gave no value, outside [min, max], stuck at v
 *                                  (printed once per fault, not per sample)
 *   dsrnn: resumed
 *   dsrnn: done                    (after config.steps predictions)
 */
export async function startApp(model: Model, config: AppConfig) {
    const sensors = config.source ? null : new Sensors(config.features)
    const source: SampleSource = config.source || sensors
    const repeats = new Repeats(model.inputSize)
    const raw = zeros(model.inputSize)
    const forecaster = new Forecaster(model, config, config.stepAsync)
    const anomalies = new AnomalyCheck(config.targets, config.threshold)
    const exact = Buffer.alloc(8 * model.outputSize)
    let t = 0
    let fault = ""
    const saveEvery = config.saveState ? config.saveEvery || 0 : 0
    if (saveEvery > 0 && config.restoreState) await config.restoreState(model)
    if (sensors) await sensors.bind(config.features, 3000)
    console.log(`dsrnn: start inputs=${model.inputSize} outputs=${model.outputSize} period=${config.periodMs}ms ${forecaster.stepsAsync ? "stepAsync" : "step"}`)
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
            const y = await forecaster.step(raw)
            anomalies.remember(y)
            for (let j = 0; j < y.length; j++) exact.setAt(8 * j, "f64", y[j])
            console.log(`dsrnn: t=${t} y=[${y.join(",")}] anomaly=${anomaly} f64=${exact.toString("hex")}`)
            t++
            if (config.server) {
                config.server.value = y[0]
                config.server.flag = anomaly
                config.server.count = t
            }
            if (saveEvery > 0 && t % saveEvery === 0) await config.saveState(model)
        }
        if (config.onSample) config.onSample()
        await ds.sleep(Math.max(0, config.periodMs - (ds.millis() - started)))
    }
    console.log("dsrnn: done")
}
