/**
 * The season of a series in rows, for the seasonal naive baseline and the
 * MASE scale. The maintained periodogram of @bsull/augurs proposes a period;
 * its Welch periodogram is coarse (a 24-row day comes out as 25), so the
 * period is the lag near that proposal where the autocorrelation of the
 * series' changes peaks (the level's trend would mask it), and it counts only
 * if that autocorrelation is clearly above the noise of n samples; when the
 * changes show none, the level around its straight-line trend is tried. A
 * multiple of the season peaks as high, so the shortest such lag wins, if the
 * autocorrelation dips between it and zero as a cycle's does.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { initSync, seasonalities } from "@bsull/augurs/seasons"
import { CYCLES } from "../model/features.ts"

/** Smallest autocorrelation that counts as a period (and at least 3 / sqrt(n), well above the noise of n samples). */
const MIN_SEASONAL_ACF = 0.3
/** The refinement looks this share either side of the periodogram's proposal. */
const REFINE_SHARE = 0.2
/** The periodogram needs a few cycles of its shortest period (4); shorter series panic inside the library. */
const MIN_ROWS = 16

let ready = false
function init(): void {
    if (ready) return
    // the package's exports map hides the .wasm file, so find it next to the module
    initSync({ module: readFileSync(fileURLToPath(new URL("seasons_bg.wasm", import.meta.resolve("@bsull/augurs/seasons")))) })
    ready = true
}

/** A detected season this close to a calendar cycle (relative) is that cycle. */
const CALENDAR_SNAP = 0.06

/**
 * The period of the series in rows, or null when it has no clear season.
 * With the rows' spacing (`rowMs`), a season near a day, a week or a year of
 * rows is that cycle rounded to whole rows: the autocorrelation of a few noisy
 * cycles cannot tell a year of weekly rows (52.18) from 51 or 53.
 */
export function detectPeriod(series: number[], rowMs?: number): number | null {
    const p = detectRows(series)
    if (p === null || !rowMs) return p
    const cycle = Object.values(CYCLES)
        .map(c => c.ms / rowMs)
        .find(rows => rows >= 2 && Math.abs(p - rows) <= CALENDAR_SNAP * rows)
    return cycle === undefined ? p : Math.round(cycle)
}

function detectRows(series: number[]): number | null {
    const d = series.slice(1).map((v, i) => v - series[i])
    if (d.length < MIN_ROWS || d.some(v => !Number.isFinite(v))) return null
    init()
    const proposals = [...seasonalities(series)]
    // a smooth season under noise (a weekly series' year) barely shows in the changes: then the level around its straight-line trend
    return seasonOf(d, proposals) ?? seasonOf(detrended(series), proposals)
}

/** The series minus its least-squares straight line. */
function detrended(y: number[]): number[] {
    const n = y.length
    const tMean = (n - 1) / 2
    const yMean = y.reduce((a, b) => a + b, 0) / n
    const slope = y.reduce((a, v, t) => a + (t - tMean) * (v - yMean), 0) / y.reduce((a, _, t) => a + (t - tMean) ** 2, 0)
    return y.map((v, t) => v - yMean - slope * (t - tMean))
}

/** The season of `d` near one of the periodogram's proposals, where its autocorrelation peaks clearly. */
function seasonOf(d: number[], proposals: number[]): number | null {
    const n = d.length
    const mean = d.reduce((a, b) => a + b, 0) / n
    const variance = d.reduce((a, v) => a + (v - mean) ** 2, 0)
    if (variance === 0) return null
    const acf = (lag: number) => {
        let s = 0
        for (let i = lag; i < n; i++) s += (d[i] - mean) * (d[i - lag] - mean)
        return s / variance
    }
    // a cycle of `lag` rows dips below half its peak between lag 2 and it; a smooth season stays
    // correlated over a few rows, so short lags peak on noise without dipping (lag 1 is skipped:
    // differencing alone makes it negative)
    const dips = (lag: number, r: number) => Array.from({ length: Math.max(0, lag - 2) }, (_, i) => acf(i + 2)).some(a => a < r / 2)
    const floor = Math.max(MIN_SEASONAL_ACF, 3 / Math.sqrt(n))
    for (const p of proposals) {
        const lo = Math.max(2, Math.floor(p * (1 - REFINE_SHARE)))
        const hi = Math.min(Math.floor(n / 2), Math.ceil(p * (1 + REFINE_SHARE)))
        let best = -Infinity
        let lag = 0
        for (let k = lo; k <= hi; k++) {
            const r = acf(k)
            if (r > best) [best, lag] = [r, k]
        }
        // a proposal off by more than the share leaves the peak outside the window: climb to it
        while (lag < Math.floor(n / 2) && acf(lag + 1) > best) best = acf(++lag)
        while (lag > 2 && acf(lag - 1) > best) best = acf(--lag)
        if (!(best > floor)) continue
        // a multiple of the season peaks as high as the season: take the shortest lag that does
        for (let j = Math.floor(lag / 2); j >= 2; j--) {
            const q = Math.round(lag / j)
            const near = [q - 1, q, q + 1].filter(k => k >= 2).reduce((a, k) => (acf(k) > acf(a) ? k : a), Math.max(2, q))
            const r = acf(near)
            if (r >= 0.9 * best && r > acf(near - 1) && r >= acf(near + 1) && dips(near, r)) return near
        }
        return lag
    }
    return null
}
