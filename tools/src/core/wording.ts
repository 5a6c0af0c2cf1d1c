/** How user-facing lines word counts and shares, so every command reads "1 epoch" and "0.1% lower" alike. */

/** `n` and the noun, plural unless n is 1: "1 epoch", "60 epochs", "6,077 rows". */
export const count = (n: number, noun: string) => `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`

/** A share (0.25) as a percentage: whole numbers from 1%, one decimal below, so a small gain never reads "0%". */
export function percent(share: number): string {
    const p = share * 100
    if (Math.abs(p) >= 1) return `${p.toFixed(0)}%`
    return Math.abs(p) >= 0.05 ? `${p.toFixed(1)}%` : p === 0 ? "0%" : "under 0.1%"
}
