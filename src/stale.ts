/**
 * Whether the model has gone stale: per reading, the model's error
 * |forecast of output 0 made a step earlier - reading of input `target`|
 * and persistence's |previous reading - reading|, each a running mean over
 * about `window` readings (exponential, weight 1 / window); the model loses
 * a reading when its mean is above persistence's, and is stale while it has
 * lost `span` readings or more in a row. `dsrnn train` sets `span` from the
 * validation rows, which never go stale (model.json `stale`). Fixed state.
 */
export class StaleCheck {
    private lastForecast = 0
    private lastReading = 0
    private primed = false
    private modelMean = 0
    private persistenceMean = 0
    /** Readings in a row the model's mean error has been above persistence's. */
    private lost = 0

    /** `span` 0 never flags. */
    constructor(
        readonly target: number,
        readonly window: number,
        readonly span: number
    ) {
        if (!(window >= 1)) throw new Error(`StaleCheck: window ${window}, expected at least 1 reading`)
    }

    /** 1 if the model is stale after `raw`, against the forecast and the reading remembered last, else 0. */
    check(raw: number[]): number {
        if (this.primed) {
            const v = raw[this.target]
            const a = 1 / this.window
            this.modelMean += a * (Math.abs(this.lastForecast - v) - this.modelMean)
            this.persistenceMean += a * (Math.abs(this.lastReading - v) - this.persistenceMean)
            this.lost = this.modelMean > this.persistenceMean ? this.lost + 1 : 0
        }
        return this.span > 0 && this.lost >= this.span ? 1 : 0
    }

    /** Keeps the reading and `y`, the forecast made from it, for the next check. */
    remember(raw: number[], y: number[]) {
        this.lastReading = raw[this.target]
        this.lastForecast = y[0]
        this.primed = true
    }
}
