import { Observable, OperatorFunction } from "@devicescript/observables"
import { AnomalyCheck } from "./anomaly"
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
    /** Per output, the input whose raw value is added back (a residual model from `dsrnn train`), or null. */
    residual?: number[]
}

/**
 * Runs one model step per input: raw reading in, forecast out, in real units
 * when `scaling` is given. The model's state is the model's own, not the
 * subscription's: every subscription steps the same state, so subscribe once
 * per model (or call `model.reset()` between uses).
 */
export class Forecaster {
    private x: number[]
    /** The latest forecast. Overwritten by the next step. */
    readonly y: number[]

    constructor(
        readonly model: Model,
        readonly scaling?: Scaling
    ) {
        this.x = zeros(model.inputSize)
        this.y = zeros(model.outputSize)
    }

    /** One step on `raw`; returns `this.y`. Suspends as stepAsync does, so bursts cannot trip the watchdog. */
    async step(raw: number[]) {
        const x = this.x
        if (raw.length !== x.length) throw new Error(`Forecaster: input has ${raw.length} values, expected ${x.length}`)
        for (let j = 0; j < x.length; j++) x[j] = raw[j]
        const s = this.scaling
        if (s) normalize(x, s.inputMean, s.inputStd)
        await this.model.stepAsync(x, this.y)
        if (s) {
            denormalize(this.y, s.outputMean, s.outputStd)
            addResidual(this.y, x, s.residual, s.inputMean, s.inputStd)
        }
        return this.y
    }
}

/**
 * An operator for @devicescript/observables: each input vector (`number[]`
 * of `model.inputSize`, raw units) becomes the model's output vector (real
 * units with `scaling`), one model step per value:
 *
 *     temperature.reading.pipe(ewma(0.2), map(v => [v]), predict(model, scaling))
 *
 * The emitted array is reused: it holds the latest forecast and is
 * overwritten by the next value, so copy it to keep it. Nothing else is
 * allocated per value. Steps suspend as `stepAsync` does, across values, so
 * a synchronous burst (`from(rows)`) cannot trip the watchdog. The model's
 * state is shared by all subscriptions (see Forecaster).
 */
export function predict(model: Model, scaling?: Scaling): OperatorFunction<number[], number[]> {
    return function operator(source: Observable<number[]>) {
        return new Observable<number[]>(observer => {
            const { error, next, complete } = observer
            const forecaster = new Forecaster(model, scaling)
            return source.subscribe({
                error,
                complete,
                next: async raw => {
                    await next(await forecaster.step(raw))
                },
            })
        })
    }
}

/**
 * Like predict, but emits the anomaly flag (0 or 1) per reading: 1 when the
 * reading is more than `threshold` from the forecast the model made for it
 * one step earlier. `targets[j]` is the input that output j forecasts
 * (default: output j forecasts input j). The first reading is never flagged.
 */
export function anomaly(model: Model, threshold: number, scaling?: Scaling, targets?: number[]): OperatorFunction<number[], number> {
    if (!targets) {
        targets = []
        for (let j = 0; j < model.outputSize; j++) targets.push(j < model.inputSize ? j : -1)
    }
    const map = targets
    return function operator(source: Observable<number[]>) {
        return new Observable<number>(observer => {
            const { error, next, complete } = observer
            const forecaster = new Forecaster(model, scaling)
            const checker = new AnomalyCheck(map, threshold)
            return source.subscribe({
                error,
                complete,
                next: async raw => {
                    const flag = checker.check(raw)
                    checker.remember(await forecaster.step(raw))
                    await next(flag)
                },
            })
        })
    }
}
