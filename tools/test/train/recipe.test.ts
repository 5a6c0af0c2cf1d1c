/**
 * Training as good as the usual recipe: on the same split and architecture
 * (LSTM(16) + Dense(1)), the model `dsrnn train` made scores within 5% of
 * PyTorch models trained the practitioner's way
 * (tools/scripts/pytorch-recipe.py: Adam, stride-1 windows, early stopping
 * on a validation tail, ReduceLROnPlateau; 3 seeds, the median of the better
 * target, windowed forecasts). The PyTorch results are committed
 * (tools/test/fixtures/recipe/); this test does not train: it streams the
 * committed demo model, which `npm start -- --retrain` remakes.
 */
import { describe, expect, it } from "vitest"
import { join } from "node:path"
import { importCanonical } from "../../src/import/import-model.ts"
import { REPO_ROOT } from "../helpers/cli.ts"
import { heldOutRmse, recipeSplit } from "../helpers/recipe.ts"

describe("dsrnn train against the PyTorch recipe", () => {
    it("npm start's model (Seattle hourly temperature) is within 5% of the recipe's held-out RMSE, or better", () => {
        const { fixture, trainingFile, heldOut, lstmRmse } = recipeSplit("seattle-hourly")
        const model = importCanonical(join(REPO_ROOT, "tools", "data", "seattle-lstm.json"))
        // the same split and architecture as the recipe
        expect(model.training!.command).toMatch(/^dsrnn train demo-output\/seattle-train\.csv --target temperature --inputs temperature,pressure .*--arch lstm:16 /)
        expect(model.training!.trainRows).toBe(fixture.split.trainRows)
        expect(model.layers.map(l => `${l.type}(${l.units})`)).toEqual(["lstm(16)", "dense(1)"])
        const ours = heldOutRmse(model, trainingFile, heldOut)
        console.log(`held-out RMSE: dsrnn train ${ours.toFixed(4)}, PyTorch recipe ${lstmRmse.toFixed(4)} (${(ours / lstmRmse).toFixed(3)}x), persistence ${fixture.persistence.rmse.toFixed(4)}`)
        expect(ours).toBeLessThanOrEqual(1.05 * lstmRmse)
    })

    it("scores the held-out rows by hand: a model that repeats its input is persistence", () => {
        const { fixture, trainingFile, heldOut } = recipeSplit("seattle-hourly")
        // temperature is input 0: Dense(1) with weight 1 on it, no scaling
        const copy = { format: "dsrnn-model", version: 1, inputSize: 2, outputSize: 1, layers: [{ type: "dense", inputSize: 2, units: 1, activation: "linear", W: [[1, 0]], b: [0] }] } as never
        expect(heldOutRmse(copy, trainingFile, heldOut)).toBeCloseTo(fixture.persistence.rmse, 9)
    })
})
