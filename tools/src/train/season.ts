/**
 * The season of a series in rows, for the seasonal naive baseline and the
 * MASE scale. The maintained periodogram of @bsull/augurs proposes a period;
 * its Welch periodogram is coarse (a 24-row day comes out as 25), so the
 * period is the lag near that proposal where the autocorrelation of the
 * series' changes peaks (the level's trend would mask it), and it counts only
 * if that autocorrelation is clearly above the noise of n samples. A multiple
 * of the season peaks as high, so the shortest such lag wins.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { initSync, seasonalities } from "@bsull/augurs/seasons"

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

/** The period of the series in rows, or null when it has no clear season. */
export function detectPeriod(series: number[]): number | null {
    const d = series.slice(1).map((v, i) => v - series[i])
    const n = d.length
    if (n < MIN_ROWS || d.some(v => !Number.isFinite(v))) return null
    const mean = d.reduce((a, b) => a + b, 0) / n
    const variance = d.reduce((a, v) => a + (v - mean) ** 2, 0)
    if (variance === 0) return null
    init()
    const proposals = [...seasonalities(series)]
    const acf = (lag: number) => {
        let s = 0
        for (let i = lag; i < n; i++) s += (d[i] - mean) * (d[i - lag] - mean)
        return s / variance
    }
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
        if (!(best > floor)) continue
        // a multiple of the season peaks as high as the season: take the shortest lag that does
        for (let j = Math.floor(lag / 2); j >= 2; j--) {
            const q = Math.round(lag / j)
            const near = [q - 1, q, q + 1].filter(k => k >= 2).reduce((a, k) => (acf(k) > acf(a) ? k : a), Math.max(2, q))
            const r = acf(near)
            if (r >= 0.9 * best && r > acf(near - 1) && r >= acf(near + 1)) return near
        }
        return lag
    }
    return null
}
