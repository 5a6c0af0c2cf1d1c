import { Derivation } from "./features"
import { zeros } from "./layer"
import { Model } from "./model"
import { addResidual, denormalize, normalize } from "./normalize"

/**
 * The input and output scaling a model was trained with, as `dsrnn compile`
 * exports it next to `model` (`scaling`). A null array means no scaling.
 */
export interface Scaling {
    inputMean: number[]
    inputStd: number[]
    outputMean: number[]
    outputStd: number[]
    /**
     * Per output, the network input whose raw value is added back (a residual
     * model from `dsrnn train`): a reading, or the seasonal value derived from
     * it; or null.
     */
    residual?: number[]
    /** The inputs the Forecaster derives from the readings, with their state (the emitted module's `derived`), or null. */
    derived?: Derivation
}

/**
 * One reading in, one forecast out: derive the inputs (change, seasonal
 * value, calendar phase; `scaling.derived`), normalize, model step,
 * denormalize, add the residual input back. The one copy of this per-reading path: the sensor
 * app (startApp), predict() and anomaly(), and `dsrnn simulate` all run it,
 * so the simulator computes what a board computes. Allocation-free per step.
 *
 * The model's state is the model's own, not the Forecaster's: every
 * Forecaster on one model steps the same state; so is the derived inputs'
 * state (the previous and past readings, the clock: `scaling.derived`).
 *
 * Time, for calendar inputs: the device has no calendar clock of its own,
 * so the caller sets the UTC time of the next reading with setTime(ms),
 * once at the start or before any step; each step then advances it by
 * the model's rowMs (`derived.f.rowMs`). A calendar model stepped before setTime throws.
 */
export class Forecaster {
    private x: number[]
    /** The derived inputs' state, or null for a model without them. */
    readonly derived: Derivation
    /** Readings per step: the length step() takes. */
    readonly readings: number
    /** Whether step() runs model.stepAsync (else model.step). */
    readonly stepsAsync: boolean
    /** The latest forecast. Overwritten by the next step. */
    readonly y: number[]

    /**
     * `stepAsync` false steps with `model.step`, which never suspends, when
     * the model fits one watchdog slice (`fitsStep()`); otherwise, and by
     * default, with `model.stepAsync`, which suspends across calls, so a
     * burst of readings cannot trip the watchdog.
     */
    constructor(
        readonly model: Model,
        readonly scaling?: Scaling,
        stepAsync = true
    ) {
        this.x = zeros(model.inputSize)
        this.derived = scaling && scaling.derived ? scaling.derived : null
        if (this.derived && this.derived.inputSize !== model.inputSize) throw new Error(`Forecaster: the derived inputs are for ${this.derived.inputSize} inputs, the model takes ${model.inputSize}`)
        this.readings = this.derived ? this.derived.readings : model.inputSize
        this.y = zeros(model.outputSize)
        this.stepsAsync = stepAsync || !model.fitsStep()
    }

    /** The UTC time in ms of the next reading (calendar inputs); later readings are rowMs apart unless set again. */
    setTime(ms: number) {
        if (this.derived) this.derived.time = ms
    }

    /** One step on the readings `raw` (left unchanged); returns `this.y`. */
    async step(raw: number[]) {
        const x = this.x
        if (raw.length !== this.readings) throw new Error(`Forecaster: input has ${raw.length} values, expected ${this.readings} readings`)
        if (this.derived) this.derived.fill(raw, x)
        else for (let j = 0; j < x.length; j++) x[j] = raw[j]
        const s = this.scaling
        if (s) normalize(x, s.inputMean, s.inputStd)
        if (this.stepsAsync) await this.model.stepAsync(x, this.y)
        else this.model.step(x, this.y)
        if (s) {
            denormalize(this.y, s.outputMean, s.outputStd)
            addResidual(this.y, x, s.residual, s.inputMean, s.inputStd)
        }
        return this.y
    }
}
