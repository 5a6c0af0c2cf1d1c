/**
 * build and deploy take the anomaly settings `dsrnn train` stored in the
 * model: the target from outputNames (when it is one of the inputs and one row
 * ahead) and the calibrated threshold, unless --predicts or --anomaly say
 * otherwise, and the debounce calibrated with that threshold. The emitted module exports the threshold for device code.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { prepareApp } from "../../src/board/app-build.ts"
import { appFiles } from "../../src/board/app-program.ts"
import { type AppFlags, buildOptions } from "../../src/cli/app-options.ts"
import { emitModule } from "../../src/emit/emit.ts"
import { planModel } from "../../src/emit/plan.ts"
import { canonicalJson } from "../../src/import/import-model.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { randomLstmModel } from "../../src/model/random.ts"

const dir = mkdtempSync(join(tmpdir(), "dsrnn-anomaly-"))
const trained: CanonicalModel = { ...randomLstmModel(2, 4, 3), inputNames: ["pressure", "temperature"], outputNames: ["temperature"], horizon: 1, anomaly: { threshold: 1.25, percentile: 99.5 } }
function file(name: string, m: CanonicalModel): string {
    const path = join(dir, name)
    writeFileSync(path, canonicalJson(m))
    return path
}
const flags: AppFlags = { board: "pico", weights: "i8", period: "1000" }

describe("anomaly defaults from a trained model", () => {
    it("uses the stored threshold and the target named in outputNames", async () => {
        const p = await prepareApp(file("t.json", trained), buildOptions(flags))
        expect(p.app.targets).toEqual(["temperature"])
        expect(p.app.threshold).toBe(1.25)
    })

    it("--anomaly overrides the stored threshold, --predicts the target", async () => {
        const p = await prepareApp(file("t.json", trained), buildOptions({ ...flags, anomaly: "3", predicts: "pressure" }))
        expect(p.app.targets).toEqual(["pressure"])
        expect(p.app.threshold).toBe(3)
    })

    it("the app takes the debounce train calibrated with the threshold, and flags row by row under --anomaly", async () => {
        const debounced = file("d.json", { ...trained, anomaly: { ...trained.anomaly!, debounce: [2, 3] } })
        const p = await prepareApp(debounced, buildOptions(flags))
        expect(p.app.debounce).toEqual([2, 3])
        expect(appFiles(p.app)["app-params.ts"]).toContain("export const DEBOUNCE = [2, 3]\n")
        const q = await prepareApp(debounced, buildOptions({ ...flags, anomaly: "3" }))
        expect(q.app.debounce).toBeUndefined()
        expect(appFiles(q.app)["app-params.ts"]).toContain("export const DEBOUNCE = [1, 1]\n")
    })

    it("a model forecasting 6 rows ahead gets no flag: the app compares one-step forecasts", async () => {
        const p = await prepareApp(file("h6.json", { ...trained, horizon: 6, anomaly: undefined }), buildOptions(flags))
        expect(p.app.targets).toEqual([null])
        expect(p.app.threshold).toBe(0)
    })

    it("the emitted module exports the threshold and the residual input, null when absent", () => {
        const lib = { libraryImport: "./lib/index" }
        const withBoth = emitModule(planModel({ ...trained, residual: [1] }, "i8", "flash-matrices"), lib)
        expect(withBoth).toContain("export const anomalyThreshold: number = 1.25")
        expect(withBoth).toContain("export const residual: number[] = [1]")
        const plain = emitModule(planModel(randomLstmModel(2, 4, 3), "i8", "flash-matrices"), lib)
        expect(plain).toContain("export const anomalyThreshold: number = null")
        expect(plain).toContain("export const residual: number[] = null")
        // the debounce only with a threshold: [1, 1] for a model from before train --false-alarms, else the model's
        expect(withBoth).toContain("export const anomalyDebounce: number[] = [1, 1]")
        expect(plain).not.toContain("anomalyDebounce")
        const debounced = emitModule(planModel({ ...trained, anomaly: { ...trained.anomaly!, debounce: [2, 3] } }, "i8", "flash-matrices"), lib)
        expect(debounced).toContain("export const anomalyDebounce: number[] = [2, 3]")
        expect(plain).not.toContain("readingStuckRows")
        const limited = emitModule(planModel({ ...trained, readingLimits: { stuckRows: [14, 0], maxChange: [2.5, 0.125] } }, "i8", "flash-matrices"), lib)
        expect(limited).toContain("export const readingStuckRows: number[] = [14, 0]")
        expect(limited).toContain("export const readingMaxChange: number[] = [2.5, 0.125]")
        expect(plain).not.toContain("stale")
        const stale = emitModule(planModel({ ...trained, stale: { window: 48, span: 73 } }, "i8", "flash-matrices"), lib)
        expect(stale).toContain("export const staleWindow: number = 48")
        expect(stale).toContain("export const staleSpan: number = 73")
    })
})
