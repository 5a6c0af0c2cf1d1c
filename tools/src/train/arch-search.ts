/**
 * `dsrnn train --arch auto`: the model size that fits the board. Each
 * candidate of a small grid is first checked against the board on a model of
 * its shape, so the ones that cannot run there are never trained; the rest
 * are trained alike and the best streaming validation RMSE wins. The board
 * check comes in as a function: train sits below board in the stage order.
 */
import type { ArchCandidate, CanonicalModel, Layer, TrainingRecord } from "../model/canonical.ts"
import { UserError } from "../core/errors.ts"
import { count } from "../core/wording.ts"
import { type LayerSpec, parseArch } from "./options.ts"

/** What --arch auto tries by default, smallest first within a kind: 16 minutes for all six on the 7,319 Seattle training rows (docs/train.md). */
export const ARCH_GRID = ["lstm:8", "lstm:16", "lstm:32", "gru:8", "gru:16", "gru:32"]

/** "lstm:16 gru:8" (spaces or semicolons between candidates; commas stack layers, as in --arch) -> candidates. */
export function parseGrid(grid: string): string[] {
    const archs = grid.split(/[\s;]+/).filter(Boolean)
    if (!archs.length) throw new UserError(`--grid: no candidates in "${grid}"; give architectures as --arch takes them, separated by spaces (e.g. "lstm:8 gru:16")`)
    for (const a of archs)
        try {
            parseArch(a)
        } catch (e) {
            throw e instanceof UserError ? new UserError(e.message.replace(/^--arch:/, "--grid:")) : e
        }
    return archs.map(a => a.toLowerCase())
}

/**
 * A model of this shape as train makes it (TF.js LSTM and GRU, reset before,
 * one bias, Dense(1) head), for the board check before training. Its weights
 * are all 1, not 0: the emitter leaves out all-zero biases, and i8 code pairs
 * rows only when W_h's row sums are small, so ones are the worst case of
 * both and the estimate errs on the big side.
 */
export function shapeModel(layers: LayerSpec[], inputSize: number): CanonicalModel {
    const ones = (rows: number, cols: number) => Array.from({ length: rows }, () => new Array<number>(cols).fill(1))
    let size = inputSize
    const recurrent: Layer[] = layers.map(l => {
        const rows = (l.type === "lstm" ? 4 : l.type === "gru" ? 3 : 1) * l.units
        const common = { inputSize: size, units: l.units, activation: "tanh" as const, Wx: ones(rows, size), Wh: ones(rows, l.units), bx: ones(1, rows)[0], bh: new Array<number>(rows).fill(0) }
        size = l.units
        if (l.type === "lstm") return { type: "lstm", ...common, recurrentActivation: "sigmoid" }
        if (l.type === "gru") return { type: "gru", ...common, recurrentActivation: "sigmoid", resetAfter: false }
        return { type: "rnn", ...common }
    })
    const head: Layer = { type: "dense", inputSize: size, units: 1, activation: "linear", W: ones(1, size), b: [1] }
    return { format: "dsrnn-model", version: 1, inputSize, outputSize: 1, layers: [...recurrent, head] }
}

export interface SearchResult<T> {
    candidates: ArchCandidate[]
    /** The trained result of the chosen candidate. */
    best: T
    chosen: ArchCandidate
}

type Fit = (model: CanonicalModel) => { why?: string; stepMs?: number }

/**
 * Checks every candidate with `fit` on shapeModel, trains those that fit with
 * `trainOne`, checks each trained model again (training may give it more
 * inputs than the CSV has columns, and its own weights), and keeps the lowest
 * streaming validation RMSE (the earlier candidate on a tie). Throws when
 * none fits.
 */
export async function searchArch<T extends { streamRmse: number; model: CanonicalModel }>(grid: string[], inputSize: number, fit: Fit, trainOne: (arch: string, index: number, of: number) => Promise<T>): Promise<SearchResult<T>> {
    const check = (c: ArchCandidate, model: CanonicalModel, when: string) => {
        const f = fit(model)
        Object.assign(c, { fits: f.why === undefined, stepMs: f.stepMs }, f.why === undefined ? {} : { why: when + f.why })
        if (c.stepMs === undefined) delete c.stepMs
    }
    const candidates: ArchCandidate[] = grid.map(arch => ({ arch, fits: false }))
    candidates.forEach(c => check(c, shapeModel(parseArch(c.arch), inputSize), ""))
    const fitting = candidates.filter(c => c.fits)
    let best: { c: ArchCandidate; r: T } | undefined
    for (const [i, c] of fitting.entries()) {
        const r = await trainOne(c.arch, i, fitting.length)
        c.streamRmse = r.streamRmse
        check(c, r.model, "once trained, ")
        if (c.fits && (!best || r.streamRmse < best.r.streamRmse)) best = { c, r }
    }
    if (!best) {
        const first = candidates.find(c => c.why)!
        throw new UserError(`none of the ${count(candidates.length, "candidate")} fits: ${first.arch}: ${first.why}`)
    }
    return { candidates, best: best.r, chosen: best.c }
}

/** The candidates as a table for the terminal, the chosen one marked. */
export function candidateTable(candidates: ArchCandidate[], chosen: string): string[] {
    const rows = [["candidate", "fits", "step (est.)", "validation RMSE", "", "why not"]]
    for (const c of candidates)
        rows.push([c.arch, c.fits ? "yes" : "no", c.stepMs === undefined ? "-" : `${c.stepMs.toFixed(1)} ms`, c.streamRmse === undefined ? "-" : c.streamRmse.toPrecision(4), c.arch === chosen ? "chosen" : "", c.why ?? ""])
    const widths = rows[0].map((_, j) => Math.max(...rows.map(r => r[j].length)))
    return rows.map(r => `  ${r.map((v, j) => (j === 2 || j === 3 ? v.padStart(widths[j]) : v.padEnd(widths[j]))).join("  ")}`.trimEnd())
}

/** The model's recurrent layers as --arch spells them, e.g. "lstm:16" or "lstm:16,gru:8". */
export function archOf(model: CanonicalModel): string {
    return model.layers.filter(l => l.type !== "dense").map(l => `${l.type}:${l.units}`).join(",")
}

/** The candidates in one line for the report: each one's RMSE or why it was skipped, the chosen one marked. */
export function candidateSummary(search: NonNullable<TrainingRecord["search"]>, chosen: string): string {
    const one = (c: ArchCandidate) =>
        `${c.arch}${c.arch === chosen ? " (chosen)" : ""}: ${c.fits ? `RMSE ${c.streamRmse?.toPrecision(4) ?? "-"}` : `skipped, ${c.why}`}${c.stepMs === undefined ? "" : `, ~${c.stepMs.toFixed(1)} ms/step (est.)`}`
    return `--arch auto on ${search.board} at a ${search.periodMs.toLocaleString("en-US")} ms period, by streaming validation RMSE: ${search.candidates.map(one).join("; ")}`
}
