import type { Arima } from "./arima"
import { zeros } from "./layer"

/**
 * Inputs the Forecaster derives from the readings, as `dsrnn compile`
 * exports them (the Derivation `derived`, also in `scaling`). They follow the readings in
 * the network's input: each change, each seasonal value, each seasonal change, sin and cos
 * of each calendar cycle, then the statistical forecast (src/arima.ts). The host's float64 version, the oracle, is
 * tools/src/model/features.ts; the formulas are in its header.
 */
export interface DerivedInputs {
    /** Readings (indices) whose change since the previous reading is an input (0 at the first reading); null for none. */
    change: number[]
    /** Readings whose value `depth` rows back is an input (the oldest reading seen until there are that many); null for none. */
    season: number[]
    /** Rows back of the season inputs: the seasonal naive value of the row the model forecasts. */
    depth: number
    /** Per seasonal-change input, the season input (an index into `season`) whose reading minus the one `lag` rows back it is; null for none. */
    seasonChange: number[]
    /** Rows back of the seasonal-change inputs: a whole season (seasonalLag), more than `depth`. */
    lag: number
    /** Per calendar cycle: its length in ms (day, week, 365.2425-day year); null for none. */
    cycleMs: number[]
    /** Per calendar cycle: ms added to the UTC time before the phase is taken (a week starts on Monday). */
    cycleOffsetMs: number[]
    /** Milliseconds between readings: the clock advances by this per step. */
    rowMs: number
    /** The statistical baseline's forecast of one reading, the last derived input; absent for none. */
    statistical?: Arima
}

/** Number of inputs `f` adds to the readings. */
export function derivedCount(f: DerivedInputs): number {
    if (!f) return 0
    return (f.change ? f.change.length : 0) + (f.season ? f.season.length : 0) + (f.seasonChange ? f.seasonChange.length : 0) + 2 * (f.cycleMs ? f.cycleMs.length : 0) + (f.statistical ? 1 : 0)
}

const TWO_PI = 6.283185307179586

/**
 * The derived inputs' state, allocated once: the previous reading per
 * change input, a ring of depth + 1 readings per season input (lag + 1
 * with seasonal-change inputs, which read the same rings), and the
 * clock of the calendar inputs. fill() allocates nothing and calls only C
 * builtins: DeviceScript has no Math.sin or Math.cos (measured: undefined
 * in 2.16.4), so they are polynomials here, inline.
 *
 * The emitted model module creates the one Derivation of a model that has
 * derived inputs (`derived`), as the model holds its own recurrent state;
 * an app whose model has none never constructs the class and so does not
 * link its code (measured: 1,760 B of image).
 */
export class Derivation {
    /** Readings per step, before the derived inputs. */
    readonly readings: number
    /** The network's input: readings and derived inputs. */
    readonly inputSize: number
    /** UTC ms of the next reading: set by the caller (Forecaster.setTime), NaN until then; advances rowMs per step. */
    time = NaN
    /** Numbers snapshotDerivation writes: prev, ring, slot, seen, time. */
    readonly stateSize: number
    // not private: snapshotDerivation and restoreDerivation read them
    prev: number[]
    ring: number[]
    /** Readings per ring: the deepest look back, plus the current one. */
    readonly size: number
    slot = 0
    seen = false

    /** `inputSize`: the network's input, readings and derived inputs. */
    constructor(
        readonly f: DerivedInputs,
        inputSize: number
    ) {
        this.inputSize = inputSize
        this.readings = inputSize - derivedCount(f)
        if (this.readings < 1) throw new Error(`Derivation: ${derivedCount(f)} derived inputs leave no reading of ${inputSize} inputs`)
        this.prev = zeros(f.change ? f.change.length : 0)
        this.size = (f.seasonChange ? f.lag : f.depth) + 1
        this.ring = zeros(f.season ? f.season.length * this.size : 0)
        this.stateSize = this.prev.length + this.ring.length + 3 + (f.statistical ? 2 * f.statistical.size + 1 : 0)
    }

    /** Forgets the readings seen, as at boot; the clock stays. */
    reset() {
        this.seen = false
        this.slot = 0
        if (this.f.statistical) this.f.statistical.reset()
    }


    /**
     * x = the readings `raw`, then the derived inputs of this reading; moves
     * the state on by one reading and the clock by rowMs.
     */
    fill(raw: number[], x: number[]) {
        const f = this.f
        const n = this.readings
        for (let j = 0; j < n; j++) x[j] = raw[j]
        let at = n
        const change = f.change
        if (change) {
            for (let i = 0; i < change.length; i++) {
                const v = raw[change[i]]
                x[at++] = this.seen ? v - this.prev[i] : 0
                this.prev[i] = v
            }
        }
        const season = f.season
        if (season) {
            // ring slot t mod size holds reading t; the one k rows back is k slots before it
            const size = this.size
            const back = (this.slot + size - f.depth) % size
            for (let i = 0; i < season.length; i++) {
                const v = raw[season[i]]
                const base = i * size
                if (!this.seen) for (let s = 0; s < size; s++) this.ring[base + s] = v
                this.ring[base + this.slot] = v
                x[at++] = this.ring[base + back]
            }
            const seasonChange = f.seasonChange
            if (seasonChange) {
                const ago = (this.slot + size - f.lag) % size
                for (let i = 0; i < seasonChange.length; i++) {
                    const base = seasonChange[i] * size
                    x[at++] = this.ring[base + this.slot] - this.ring[base + ago]
                }
            }
            this.slot = this.slot + 1 === size ? 0 : this.slot + 1
        }
        const cycles = f.cycleMs
        if (cycles) {
            if (isNaN(this.time)) throw new Error("Forecaster: the model has calendar inputs; call setTime(UTC ms of the reading) before the first step")
            for (let i = 0; i < cycles.length; i++) {
                const T = cycles[i]
                // not %: the VM's % goes through int32 (measured: 1709272800000 % 86400000 gave -37783808)
                const t = this.time + f.cycleOffsetMs[i]
                let r = t - Math.floor(t / T) * T
                // the quotient rounded up to the next whole number leaves r just below 0
                if (r < 0) r += T
                const phase = r / T
                // 2 pi phase = q pi / 2 + a, |a| <= pi / 4, where the Taylor series to a^16 is exact to 1e-16
                const q = Math.round(4 * phase)
                const a = TWO_PI * (phase - q / 4)
                const z = a * a
                const s = a * (1 - (z / 6) * (1 - (z / 20) * (1 - (z / 42) * (1 - (z / 72) * (1 - (z / 110) * (1 - (z / 156) * (1 - z / 210)))))))
                const c = 1 - (z / 2) * (1 - (z / 12) * (1 - (z / 30) * (1 - (z / 56) * (1 - (z / 90) * (1 - (z / 132) * (1 - (z / 182) * (1 - z / 240)))))))
                const quadrant = q % 4
                x[at++] = quadrant === 0 ? s : quadrant === 1 ? c : quadrant === 2 ? -s : -c
                x[at++] = quadrant === 0 ? c : quadrant === 1 ? -s : quadrant === 2 ? -c : s
            }
        }
        const statistical = f.statistical
        if (statistical) x[at++] = statistical.next(raw[statistical.reading])
        this.time += f.rowMs
        this.seen = true
    }
}

// Free functions, not methods, so that only a program that saves the state
// (dsrnn simulate's chunks) links them: methods are linked with their class
// (measured: 448 B of image as methods).

/** Writes the state of `d` as f64 into `buf` (8 * d.stateSize bytes), so a run can continue elsewhere. */
export function snapshotDerivation(d: Derivation, buf: Buffer) {
    let at = 0
    for (let i = 0; i < d.prev.length; i++) buf.setAt(8 * at++, "f64", d.prev[i])
    for (let i = 0; i < d.ring.length; i++) buf.setAt(8 * at++, "f64", d.ring[i])
    buf.setAt(8 * at++, "f64", d.slot)
    buf.setAt(8 * at++, "f64", d.seen ? 1 : 0)
    buf.setAt(8 * at++, "f64", d.time)
    const a = d.f.statistical
    if (a) {
        for (let i = 0; i < a.size; i++) buf.setAt(8 * at++, "f64", a.xs[i])
        for (let i = 0; i < a.size; i++) buf.setAt(8 * at++, "f64", a.es[i])
        buf.setAt(8 * at, "f64", a.seen)
    }
}

/** Reads back into `d` what snapshotDerivation wrote. */
export function restoreDerivation(d: Derivation, buf: Buffer) {
    let at = 0
    for (let i = 0; i < d.prev.length; i++) d.prev[i] = buf.getAt(8 * at++, "f64")
    for (let i = 0; i < d.ring.length; i++) d.ring[i] = buf.getAt(8 * at++, "f64")
    d.slot = buf.getAt(8 * at++, "f64")
    d.seen = buf.getAt(8 * at++, "f64") !== 0
    d.time = buf.getAt(8 * at++, "f64")
    const a = d.f.statistical
    if (a) {
        for (let i = 0; i < a.size; i++) a.xs[i] = buf.getAt(8 * at++, "f64")
        for (let i = 0; i < a.size; i++) a.es[i] = buf.getAt(8 * at++, "f64")
        a.seen = buf.getAt(8 * at, "f64")
    }
}
