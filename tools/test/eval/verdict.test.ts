// The plain-words verdict under the evaluation table: when the model loses to
// persistence, the hint must not suggest what the model already does.
import { describe, expect, it } from "vitest"
import { formatEvaluation } from "../../src/eval/evaluate.ts"
import type { Evaluation } from "../../src/eval/evaluation.ts"

function losing(residual: boolean): Evaluation {
    const m = (key: "float" | "persistence", rmse: number) => ({ key, label: key, predictions: [1, 2], rmse, mae: rmse, mase: rmse })
    return { horizon: 1, start: 0, actual: [1, 2], methods: [m("float", 0.5), m("persistence", 0.4)], period: null, residual }
}

describe("the verdict of train and evaluate", () => {
    it("suggests residual mode to a level model that loses to persistence", () => {
        expect(formatEvaluation(losing(false), "rows")).toMatch(/does NOT beat persistence: RMSE 0.5000 against 0.4000 \(25% higher\)\.\nTry --target-mode change, more --epochs, or more data\.$/)
    })

    it("does not suggest residual mode to a model that already forecasts the change", () => {
        const text = formatEvaluation(losing(true), "rows")
        expect(text).toMatch(/does NOT beat persistence.*\nTry more --epochs, or more data\.$/)
        expect(text).not.toContain("--residual")
    })
})
