import { zeros } from "./layer"

/**
 * The statistical baseline's forecast as a derived input (features.statistical):
 * a seasonal ARIMA with the coefficients train fitted, written out as one
 * difference equation on x = y - mean,
 *
 *   x[t] = sum a_k x[t - k] + e[t] + sum m_j e[t - j]
 *
 * with only its nonzero lags (the airline model at a season s has three of
 * each: 1, s, s + 1). Each reading moves it on by one row: the innovation
 * e[t] = x[t] - (forecast of x[t] from the rows before), then the forecast
 * `horizon` rows ahead with later innovations 0. Innovations before a full
 * history are 0 (conditional sum of squares, as the host's oracle,
 * tools/src/model/arima.ts). Until the first forecast the input is the
 * current reading. Fixed state, allocated once: rings of the last deepest
 * lag + 1 x and e (slot t mod size holds row t), and `horizon` scratch
 * values. next() calls only C builtins: a call of our own would cost a heap
 * frame per lag (docs/platform.md), so the ring reads are written out.
 */
export class Arima {
    /** Rows seen since reset. */
    seen = 0
    // not private: snapshotDerivation and restoreDerivation read them
    xs: number[]
    es: number[]
    private ahead: number[]
    /** Ring length: the deepest lag plus the current row. */
    readonly size: number
    constructor(
        /** The reading (index) it forecasts. */
        readonly reading: number,
        readonly horizon: number,
        readonly mean: number,
        /** The autoregressive part's degree K (its top lag): innovations from row K on, forecasts from row K - 1 on. */
        readonly arDegree: number,
        readonly arLags: number[],
        readonly ar: number[],
        readonly maLags: number[],
        readonly ma: number[]
    ) {
        let deepest = arDegree
        for (let i = 0; i < maLags.length; i++) deepest = Math.max(deepest, maLags[i])
        this.size = deepest + 1
        this.xs = zeros(this.size)
        this.es = zeros(this.size)
        this.ahead = zeros(horizon + 1)
    }

    /** Forgets the rows seen, as at boot: next() reads only rows written since. */
    reset() {
        this.seen = 0
    }

    /** Takes reading y of row t = seen and returns its forecast of row t + horizon. */
    next(y: number) {
        const t = this.seen
        const size = this.size
        const x = y - this.mean
        const slot = t % size
        this.xs[slot] = x
        let e = 0
        if (t >= this.arDegree) {
            let f = 0
            // every lag here is at most t rows back: row t - lag exists
            for (let i = 0; i < this.arLags.length; i++) f += this.ar[i] * this.xs[(t - this.arLags[i]) % size]
            for (let i = 0; i < this.maLags.length; i++) {
                const r = t - this.maLags[i]
                if (r >= 0) f += this.ma[i] * this.es[r % size]
            }
            e = x - f
        }
        this.es[slot] = e
        this.seen = t + 1
        if (t < this.arDegree - 1) return y
        // rows t + 1 .. t + horizon, each from the ones before it; innovations after t are 0
        const ahead = this.ahead
        for (let i = 1; i <= this.horizon; i++) {
            let f = 0
            for (let k = 0; k < this.arLags.length; k++) {
                const lag = this.arLags[k]
                // t >= arDegree - 1 >= lag - 1 >= lag - i: row t + i - lag exists
                f += this.ar[k] * (lag >= i ? this.xs[(t + i - lag) % size] : ahead[i - lag])
            }
            for (let j = 0; j < this.maLags.length; j++) {
                const lag = this.maLags[j]
                const r = t + i - lag
                if (lag >= i && r >= 0) f += this.ma[j] * this.es[r % size]
            }
            ahead[i] = f
        }
        return ahead[this.horizon] + this.mean
    }
}
