/**
 * The PyTorch recipe's committed results (tools/scripts/pytorch-recipe.py)
 * and the same rows for our train: the training file and the held-out rows
 * after it, read with the data policy from the series shipped through npm.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { type Columns, readColumns } from "../../src/io/columns.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { REPO_ROOT } from "./cli.ts"

interface Score {
    rmse: number
    mae: number
}

export interface RecipeFixture {
    series: string
    source: string
    rows: number
    target: string
    inputs: string[]
    horizon: number
    split: { trainingFileRows: number; trainRows: number; validationRows: number; heldOutRows: number }
    persistence: Score
    /** "lstm-level", "lstm-change", "gru-level", "gru-change". */
    runs: Record<string, { seeds: { seed: number; epochs: number }[]; median: { windowed: Score; streamed: Score } }>
}

export interface RecipeSplit {
    fixture: RecipeFixture
    /** What `dsrnn train` reads: its last validationRows rows validate. */
    trainingFile: Columns
    heldOut: Columns
    /** The recipe's held-out RMSE for the same architecture, LSTM(16): the better target's median over the seeds, windowed. */
    lstmRmse: number
}

export function recipeSplit(series: string): RecipeSplit {
    const fixture = JSON.parse(readFileSync(join(REPO_ROOT, "tools", "test", "fixtures", "recipe", `${series}.json`), "utf8")) as RecipeFixture
    const data = readColumns(join(REPO_ROOT, fixture.source), { target: fixture.target, inputs: fixture.inputs })
    if (data.inputs.length !== fixture.rows) throw new Error(`${fixture.source}: ${data.inputs.length} rows read, the recipe read ${fixture.rows}`)
    const part = (from: number, to: number): Columns => ({ ...data, inputs: data.inputs.slice(from, to), target: data.target.slice(from, to), lines: data.lines.slice(from, to), times: data.times?.slice(from, to) })
    const n = fixture.split.trainingFileRows
    return {
        fixture,
        trainingFile: part(0, n),
        heldOut: part(n, n + fixture.split.heldOutRows),
        lstmRmse: Math.min(fixture.runs["lstm-level"].median.windowed.rmse, fixture.runs["lstm-change"].median.windowed.rmse),
    }
}

/**
 * RMSE on the held-out rows of the model streamed from zero state at the
 * training file's first row, as a device that has run since then: every
 * held-out row t with a target t + h. The recipe's windowed forecasts also
 * take their earlier rows from before the held-out part.
 */
export function heldOutRmse(model: CanonicalModel, trainingFile: Columns, heldOut: Columns): number {
    const h = model.horizon ?? 1
    const times = trainingFile.times && heldOut.times ? [...trainingFile.times, ...heldOut.times] : undefined
    const pred = new ReferenceModel(model)
        .run([...trainingFile.inputs, ...heldOut.inputs], times)
        .slice(trainingFile.inputs.length)
        .map(y => y[0])
    let sq = 0
    for (let t = 0; t + h < heldOut.target.length; t++) sq += (pred[t] - heldOut.target[t + h]) ** 2
    return Math.sqrt(sq / (heldOut.target.length - h))
}
