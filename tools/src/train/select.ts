/**
 * Choosing among candidates on streaming validation RMSE with a fair budget:
 * successive halving. Every candidate trains for the first rung's epochs;
 * then the half on course to the lowest RMSE at the next rung goes on, for
 * twice the epochs, and so on until one is left, which trains to the cap (or
 * until patience runs out). "On course" extrapolates each candidate's best
 * RMSE at its own recent rate per epoch, so one still improving fast is not
 * dropped behind one that has levelled off (the old --residual auto decided
 * after 8 epochs while the level model still gained 15% an epoch); the one
 * with the lowest RMSE so far goes on as well. The choice is the lowest best
 * RMSE of all candidates, dropped ones included.
 */
import { count, percent } from "../core/wording.ts"

/** A candidate in training, one epoch per step. */
export interface Runner {
    readonly label: string
    /** Streaming validation RMSE after each epoch so far. */
    readonly curve: readonly number[]
    /** Patience ran out: no more epochs. */
    readonly stalled: boolean
    /** Trains one more epoch; `until` is the rung's budget, for progress. */
    step(until: number): Promise<void>
}

/** Epochs of the first rung. */
export const FIRST_RUNG = 4

export interface Outcome {
    label: string
    /** Lowest streaming RMSE, and its epoch (1-based). */
    rmse: number
    bestEpoch: number
    epochs: number
    /** The rung's budget after which it was dropped; undefined for the last one standing. */
    droppedAfter?: number
    /** Patience ran out before its budget did. */
    stalled: boolean
}

export interface Selection {
    outcomes: Outcome[]
    /** Index of the chosen candidate: the lowest RMSE. */
    chosen: number
    rungs: number[]
    /** Epochs trained over all candidates. */
    epochs: number
}

/** The rungs' budgets: FIRST_RUNG, twice that, ... below the cap, then the cap. */
export function rungBudgets(cap: number, first = FIRST_RUNG): number[] {
    const r: number[] = []
    for (let b = first; b < cap; b *= 2) r.push(b)
    return [...r, cap]
}

/** Best-so-far of a curve after each epoch. */
function bestSoFar(curve: readonly number[]): number[] {
    let m = Infinity
    return curve.map(v => (m = Math.min(m, v)))
}

/**
 * The best RMSE a candidate is on course to reach by epoch `at`: its best so
 * far, improved at the geometric rate per epoch of the last half of its epochs.
 */
export function projected(curve: readonly number[], stalled: boolean, at: number): number {
    const b = bestSoFar(curve)
    const e = b.length
    if (e === 0) return Infinity
    if (stalled || e < 2 || at <= e) return b[e - 1]
    const k = Math.max(1, Math.floor(e / 2))
    const rate = b[e - 1] > 0 && b[e - 1 - k] > 0 ? (b[e - 1] / b[e - 1 - k]) ** (1 / k) : 1
    return b[e - 1] * rate ** (at - e)
}

/** Successive halving over the runners, up to `cap` epochs each. */
export async function selectCandidate(runners: Runner[], cap: number, first = FIRST_RUNG): Promise<Selection> {
    const rungs = rungBudgets(cap, first)
    const dropped = new Map<number, number>()
    let alive = runners.map((_, i) => i)
    for (const [r, budget] of rungs.entries()) {
        for (const i of alive) while (runners[i].curve.length < budget && !runners[i].stalled) await runners[i].step(budget)
        if (alive.length === 1 || r === rungs.length - 1) continue
        const next = rungs[r + 1]
        const ranked = alive.map(i => ({ i, p: projected(runners[i].curve, runners[i].stalled, next) })).sort((a, b) => a.p - b.p || a.i - b.i)
        const keep = ranked.slice(0, Math.ceil(alive.length / 2)).map(x => x.i)
        // the lowest RMSE so far goes on too while it can: a projection is a guess, the leader is a measurement
        const open = alive.filter(i => !runners[i].stalled)
        const leader = open.length ? open.reduce((a, i) => (Math.min(...runners[i].curve) < Math.min(...runners[a].curve) ? i : a)) : -1
        if (leader >= 0 && !keep.includes(leader)) keep.push(leader)
        alive.filter(i => !keep.includes(i)).forEach(i => dropped.set(i, budget))
        alive = alive.filter(i => keep.includes(i))
    }
    const outcomes = runners.map((run, i) => {
        const rmse = Math.min(...run.curve)
        // a stalled candidate is ranked on what it reached; "dropped" is for one whose budget ran out
        const stalled = run.stalled && run.curve.length < (dropped.get(i) ?? cap)
        return { label: run.label, rmse, bestEpoch: run.curve.indexOf(rmse) + 1, epochs: run.curve.length, ...(stalled || !dropped.has(i) ? {} : { droppedAfter: dropped.get(i) }), stalled }
    })
    const chosen = outcomes.reduce((c, o, i) => (o.rmse < outcomes[c].rmse ? i : c), 0)
    return { outcomes, chosen, rungs, epochs: outcomes.reduce((s, o) => s + o.epochs, 0) }
}

/** The printout: one line per candidate with its streaming RMSE, then the choice and why, and what it cost. */
export function selectionLines(s: Selection, chosenWords: string): string[] {
    if (s.outcomes.length === 1) return []
    const width = Math.max(...s.outcomes.map(o => o.label.length))
    const lines = [
        `chose among ${count(s.outcomes.length, "candidate")} on streaming validation RMSE: ${
            s.rungs.length > 1 ? `all trained ${count(s.rungs[0], "epoch")}, then each round the half on course to the lowest RMSE, and the lowest so far, went on (rounds at ${s.rungs.slice(0, -1).join(", ")} epochs, cap ${s.rungs.at(-1)})` : `each trained up to ${count(s.rungs[0], "epoch")}`
        }; ${count(s.epochs, "epoch")} in all`,
        ...s.outcomes.map((o, i) => {
            const why = o.stalled ? `stopped: ${count(o.epochs - o.bestEpoch, "epoch")} without a better RMSE` : o.droppedAfter !== undefined ? `dropped after ${o.droppedAfter}` : "trained to the end"
            return `  ${i === s.chosen ? "*" : " "} ${o.label.padEnd(width)}  RMSE ${o.rmse.toPrecision(4)}  (best epoch ${o.bestEpoch} of ${o.epochs}, ${why})`
        }),
    ]
    const others = s.outcomes.filter((_, i) => i !== s.chosen)
    const next = others.reduce((a, o) => (o.rmse < a.rmse ? o : a))
    const c = s.outcomes[s.chosen]
    lines.push(`chosen: ${chosenWords}: the lowest streaming validation RMSE, ${c.rmse.toPrecision(4)}, ${percent(1 - c.rmse / next.rmse)} below the next best (${next.label}, ${next.rmse.toPrecision(4)})`)
    return lines
}
