import { zeros } from "./layer"

/**
 * Flags a reading far from what the model forecast for it one step earlier:
 * |forecast of output j - reading of input targets[j]| > threshold, the same
 * test as the sensor app's anomaly flag, debounced: the flag is 1 while at
 * least `count` of the last `window` checked readings were over the
 * threshold (1 of 1: every reading over it). `dsrnn train --false-alarms`
 * calibrates the threshold and the debounce together (model.json
 * `anomaly.debounce`).
 *
 * With `scales` (a model forecasting several inputs, model.json
 * `anomaly.scales`: each output's validation spread) the readings get one
 * score, the root mean square of the residuals each divided by its scale,
 * and the threshold is on that score. Either way `worst` names the input
 * that contributed most to the last reading over the threshold.
 */
export class AnomalyCheck {
    private last: number[]
    private primed = false
    /** Per checked reading of the last `window`, 1 if it was over the threshold: a ring, `next` its oldest slot. */
    private over: number[]
    private next = 0
    /** How many of `over` are 1. */
    private overs = 0
    /** At least this many of the last `window` checked readings over the threshold set the flag. */
    readonly count: number
    readonly window: number
    /** The input (index into the readings) with the largest residual, scaled when there are scales, of the last reading over the threshold; -1 before one. */
    worst = -1

    /**
     * `targets[j]` is the input that output j forecasts, or -1; `threshold` 0
     * never flags; `debounce` is [count, window], 1 <= count <= window
     * (absent: [1, 1], every reading over the threshold); `scales[j]` > 0
     * is output j's spread (absent: each residual against the threshold).
     */
    constructor(
        readonly targets: number[],
        readonly threshold: number,
        debounce?: number[],
        readonly scales?: number[]
    ) {
        this.count = debounce ? debounce[0] : 1
        this.window = debounce ? debounce[1] : 1
        if (!(this.count >= 1 && this.window >= this.count)) throw new Error(`AnomalyCheck: debounce ${this.count} of ${this.window}, expected 1 <= count <= window`)
        if (scales) {
            if (scales.length !== targets.length) throw new Error(`AnomalyCheck: ${scales.length} scales for ${targets.length} outputs`)
            for (let j = 0; j < scales.length; j++) if (!(scales[j] > 0)) throw new Error(`AnomalyCheck: scale ${j} is ${scales[j]}, expected > 0`)
        }
        this.last = zeros(targets.length)
        this.over = zeros(this.window)
    }

    /** 1 if `raw` leaves at least `count` of the last `window` readings over the threshold against the forecast remembered for each, else 0. */
    check(raw: number[]): number {
        let over = 0
        if (this.primed && this.threshold > 0) {
            const scales = this.scales
            // without scales: the largest |residual| against the threshold; with them, the squares' mean against its square (no root taken)
            let sum = 0
            let n = 0
            let largest = 0
            let worst = -1
            for (let j = 0; j < this.targets.length; j++) {
                const k = this.targets[j]
                if (k < 0) continue
                const z = scales ? (this.last[j] - raw[k]) / scales[j] : Math.abs(this.last[j] - raw[k])
                const size = scales ? z * z : z
                sum += size
                n++
                if (size > largest) {
                    largest = size
                    worst = k
                }
            }
            if (scales ? n > 0 && sum > n * this.threshold * this.threshold : largest > this.threshold) {
                over = 1
                this.worst = worst
            }
        }
        this.overs += over - this.over[this.next]
        this.over[this.next] = over
        this.next = (this.next + 1) % this.window
        return this.overs >= this.count ? 1 : 0
    }

    /** Keeps `y`, the forecast made from the current reading, for the next check. */
    remember(y: number[]) {
        for (let j = 0; j < this.last.length; j++) this.last[j] = y[j]
        this.primed = true
    }
}
