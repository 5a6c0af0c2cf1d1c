import { zeros } from "./layer"

/**
 * Flags a reading far from what the model forecast for it one step earlier:
 * |forecast of output j - reading of input targets[j]| > threshold, the same
 * test as the sensor app's anomaly flag.
 */
export class AnomalyCheck {
    private last: number[]
    private primed = false

    /** `targets[j]` is the input that output j forecasts, or -1; `threshold` 0 never flags. */
    constructor(
        readonly targets: number[],
        readonly threshold: number
    ) {
        this.last = zeros(targets.length)
    }

    /** 1 if `raw` is anomalous against the forecast remembered last, else 0. */
    check(raw: number[]): number {
        if (!this.primed || !(this.threshold > 0)) return 0
        for (let j = 0; j < this.targets.length; j++) {
            const k = this.targets[j]
            if (k >= 0 && Math.abs(this.last[j] - raw[k]) > this.threshold) return 1
        }
        return 0
    }

    /** Keeps `y`, the forecast made from the current reading, for the next check. */
    remember(y: number[]) {
        for (let j = 0; j < this.last.length; j++) this.last[j] = y[j]
        this.primed = true
    }
}
