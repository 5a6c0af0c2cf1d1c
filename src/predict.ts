import { Observable, OperatorFunction } from "@devicescript/observables"
import { AnomalyCheck } from "./anomaly"
import { Forecaster, Scaling } from "./forecaster"
import { Model } from "./model"

/**
 * An operator for @devicescript/observables: each vector of readings
 * (`number[]`, raw units: the model's inputs before the ones the Forecaster
 * derives) becomes the model's output vector (real units with `scaling`),
 * one model step per value:
 *
 *     temperature.reading.pipe(ewma(0.2), map(v => [v]), predict(model, scaling))
 *
 * The emitted array is reused: it holds the latest forecast and is
 * overwritten by the next value, so copy it to keep it. Nothing else is
 * allocated per value. Steps suspend as `stepAsync` does, across values, so
 * a synchronous burst (`from(rows)`) cannot trip the watchdog. The model's
 * state is shared by all subscriptions (see Forecaster). `startMs` is the
 * UTC time of the first reading, needed by a model with calendar inputs;
 * each later one is the model's rowMs after it.
 */
export function predict(model: Model, scaling?: Scaling, startMs?: number): OperatorFunction<number[], number[]> {
    return function operator(source: Observable<number[]>) {
        return new Observable<number[]>(observer => {
            const { error, next, complete } = observer
            const forecaster = new Forecaster(model, scaling)
            if (startMs !== undefined) forecaster.setTime(startMs)
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
 * `startMs` as for predict. `debounce` [count, window] (default [1, 1]):
 * flag while at least count of the last window readings were that far, as
 * `dsrnn compile` exports it (`anomalyDebounce`) for a model whose threshold
 * train calibrated on a false-alarm budget.
 */
export function anomaly(model: Model, threshold: number, scaling?: Scaling, targets?: number[], startMs?: number, debounce?: number[]): OperatorFunction<number[], number> {
    if (!targets) {
        const readings = scaling && scaling.derived ? scaling.derived.readings : model.inputSize
        targets = []
        for (let j = 0; j < model.outputSize; j++) targets.push(j < readings ? j : -1)
    }
    const map = targets
    return function operator(source: Observable<number[]>) {
        return new Observable<number>(observer => {
            const { error, next, complete } = observer
            const forecaster = new Forecaster(model, scaling)
            if (startMs !== undefined) forecaster.setTime(startMs)
            const checker = new AnomalyCheck(map, threshold, debounce)
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
