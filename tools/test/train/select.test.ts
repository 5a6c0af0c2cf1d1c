/**
 * Successive halving on injected RMSE curves, where the right answer is known
 * by hand: which candidates each round keeps, how many epochs each trains,
 * that the choice is the lowest RMSE, and the printout, line by line.
 */
import { describe, expect, it } from "vitest"
import { type Runner, projected, rungBudgets, selectCandidate, selectionLines } from "../../src/train/select.ts"

/** A runner that replays a scripted RMSE curve, stalling where the script ends. */
function scripted(label: string, script: number[]): Runner & { steps: number[] } {
    const curve: number[] = []
    const steps: number[] = []
    return {
        label,
        curve,
        steps,
        get stalled() {
            return curve.length >= script.length
        },
        async step(until: number) {
            steps.push(until)
            curve.push(script[curve.length])
        },
    }
}

/** r0 * q^e for e = 0..n-1: a candidate improving by a share 1 - q per epoch. */
const geometric = (r0: number, q: number, n: number) => Array.from({ length: n }, (_, e) => r0 * q ** e)
const flat = (v: number, n: number) => Array.from({ length: n }, () => v)

describe("selectCandidate", () => {
    it("rounds double the epochs up to the cap", () => {
        expect(rungBudgets(60)).toEqual([4, 8, 16, 32, 60])
        expect(rungBudgets(8)).toEqual([4, 8])
        expect(rungBudgets(3)).toEqual([3])
    })

    it("projects the best RMSE at the last half's rate per epoch", () => {
        // best so far 8, 4, 2, 1: rate over the last 2 epochs (1 / 4)^(1/2) = 1/2, so 4 epochs on: 1 / 16
        expect(projected([8, 4, 2, 1], false, 8)).toBeCloseTo(1 / 16, 12)
        // a stalled candidate, or one asked about no later epoch, stays at its best
        expect(projected([8, 4, 2, 1], true, 8)).toBe(1)
        expect(projected([3, 5, 2], false, 3)).toBe(2)
    })

    it("keeps the half on course to the lowest RMSE, trains the last one to the cap, and chooses the lowest RMSE", async () => {
        const runners = [
            scripted("a", flat(1.0, 16)), // levelled off at 1.0
            scripted("b", flat(0.9, 16)), // levelled off at 0.9
            scripted("c", geometric(3.0, 0.7, 16)), // third after 4 epochs (3 * 0.7^3 = 1.029) but gaining 30% an epoch
            scripted("d", flat(1.5, 16)),
        ]
        const s = await selectCandidate(runners, 16)
        // round at 4: c is on course to 1.029 * 0.7^4 = 0.247 by epoch 8, b stays 0.9, a 1.0, d 1.5 -> keep c, b
        // round at 8: c is on course to 3 * 0.7^7 * 0.7^8 = 0.0142 by epoch 16, b 0.9 -> keep c, which trains to 16
        expect(s.outcomes.map(o => [o.label, o.epochs, o.droppedAfter])).toEqual([
            ["a", 4, 4],
            ["b", 8, 8],
            ["c", 16, undefined],
            ["d", 4, 4],
        ])
        expect(s.epochs).toBe(4 + 8 + 16 + 4)
        expect(s.chosen).toBe(2)
        expect(s.outcomes[2].rmse).toBeCloseTo(3 * 0.7 ** 15, 12)
        expect(s.outcomes[2].bestEpoch).toBe(16)
        // each step was told its round's budget
        expect(runners[2].steps).toEqual([...flat(4, 4), ...flat(8, 4), ...flat(16, 8)])
    })

    it("chooses the lowest RMSE of all, a dropped candidate included", async () => {
        // a dips to 0.5 at epoch 2 and worsens; b is on course to less by epoch 4's projection, but ends at 0.6
        const s = await selectCandidate([scripted("a", [0.8, 0.5, 0.9, 0.9]), scripted("b", [2, 1.2, 0.8, 0.6, 0.6, 0.6, 0.6, 0.6])], 8)
        expect(s.outcomes.map(o => o.droppedAfter)).toEqual([4, undefined])
        expect(s.chosen).toBe(0)
        expect(s.outcomes[0]).toEqual({ label: "a", rmse: 0.5, bestEpoch: 2, epochs: 4, droppedAfter: 4, stalled: false })
    })

    it("the lowest RMSE so far goes on even when another is on course to less", async () => {
        // a is flat at 0.5; b is at 1.029 after 4 epochs, on course to 0.247 by 8: b is the half kept, a goes on as the leader,
        // and after 8 epochs b leads (3 * 0.7^7 = 0.247) and a is dropped
        const s = await selectCandidate([scripted("a", flat(0.5, 16)), scripted("b", geometric(3, 0.7, 16))], 16)
        expect(s.outcomes.map(o => [o.epochs, o.droppedAfter])).toEqual([
            [8, 8],
            [16, undefined],
        ])
    })

    it("a candidate whose patience runs out stops, is ranked on what it reached, and is reported as stopped", async () => {
        // a stops after 3 epochs (its script ends), b goes on to the cap
        const s = await selectCandidate([scripted("a", [0.9, 0.8, 0.85]), scripted("b", geometric(2, 0.8, 8))], 8)
        expect(s.outcomes.map(o => [o.epochs, o.stalled, o.droppedAfter])).toEqual([
            [3, true, undefined],
            [8, false, undefined],
        ])
        expect(selectionLines(s, "x")[1]).toBe("    a  RMSE 0.8000  (best epoch 2 of 3, stopped: 1 epoch without a better RMSE)")
    })

    it("prints one line per candidate with its RMSE, then the choice, why and the cost", async () => {
        const s = await selectCandidate([scripted("level, readings", flat(0.3, 8)), scripted("season, readings + season", [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])], 8)
        expect(selectionLines(s, "the change from the seasonal naive forecast, inputs t, t 23 rows ago")).toEqual([
            "chose among 2 candidates on streaming validation RMSE: all trained 4 epochs, then each round the half on course to the lowest RMSE, and the lowest so far, went on (rounds at 4 epochs, cap 8); 12 epochs in all",
            "    level, readings            RMSE 0.3000  (best epoch 1 of 4, dropped after 4)",
            "  * season, readings + season  RMSE 0.1000  (best epoch 2 of 8, trained to the end)",
            "chosen: the change from the seasonal naive forecast, inputs t, t 23 rows ago: the lowest streaming validation RMSE, 0.1000, 67% below the next best (level, readings, 0.3000)",
        ])
        // a single candidate has nothing to choose
        expect(selectionLines(await selectCandidate([scripted("level, readings", flat(0.3, 2))], 2), "x")).toEqual([])
    })
})
