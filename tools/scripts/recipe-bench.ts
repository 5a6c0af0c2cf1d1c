/**
 * Our `dsrnn train` against the PyTorch recipe (tools/scripts/pytorch-recipe.py)
 * on the same split: trains on the training file's rows with the seeds the
 * recipe used, streams the training file and the held-out rows from zero
 * state (a device running since the file's first row), and prints each seed's held-out RMSE, the median, and its ratio to the
 * recipe's LSTM median (the better target, windowed scoring).
 *
 *     nice npx tsx tools/scripts/recipe-bench.ts seattle-daily ['{"residual":"off"}' [1,2]]
 *
 * The JSON argument overrides train's options, to measure a change of recipe;
 * the last one picks the seeds (default: the recipe's).
 */
import { trainOptions } from "../src/cli/train-options.ts"
import { train } from "../src/train/train.ts"
import { heldOutRmse, recipeSplit } from "../test/helpers/recipe.ts"

const [name, overrides = "{}", seedList] = process.argv.slice(2)
const { fixture, trainingFile, heldOut, lstmRmse: oracle } = recipeSplit(name)
const seeds = seedList ? seedList.split(",").map(Number) : fixture.runs["lstm-level"].seeds.map(s => s.seed)
// the overrides in the flags' words, checked as train's flags are
const opts = trainOptions({ target: fixture.target, inputs: fixture.inputs, horizon: fixture.horizon, validation: fixture.split.validationRows / fixture.split.trainingFileRows, ...JSON.parse(overrides) }, trainingFile.inputNames.includes(fixture.target))

const results: number[] = []
for (const seed of seeds) {
    const started = Date.now()
    const { model, streamRmse } = await train(trainingFile, { ...opts, seed }, "recipe-bench")
    if (model.training!.trainRows !== fixture.split.trainRows) throw new Error(`train split ${model.training!.trainRows} rows, the recipe's ${fixture.split.trainRows}`)
    const rmse = heldOutRmse(model, trainingFile, heldOut)
    results.push(rmse)
    const rec = model.training!
    console.log(`seed ${seed}: held-out RMSE ${rmse.toFixed(4)} (${(rmse / oracle).toFixed(3)}x), ${rec.epochs.length} epochs, best ${rec.bestEpoch} (validation ${streamRmse.toFixed(4)})${model.residual ? ", residual" : ""}, ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
const median = results.slice().sort((a, b) => a - b)[Math.floor(results.length / 2)]
console.log(`${name} ${overrides}: median held-out RMSE ${median.toFixed(4)}, PyTorch recipe ${oracle.toFixed(4)}, ratio ${(median / oracle).toFixed(3)}, persistence ${fixture.persistence.rmse.toFixed(4)}`)
process.exit(0)
