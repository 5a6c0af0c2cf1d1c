/**
 * The device app's fault handling, run in the in-process VM (no devtools): an
 * out-of-range reading pauses prediction and never reaches the state; a role
 * with no sensor behind it is reported.
 */
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { type AppOptions, appSource, simulatorSource } from "../src/app-program.ts"
import { emitModule } from "../src/emit.ts"
import { importCanonical } from "../src/import-model.ts"
import { simulate } from "../src/simulate.ts"
import { runProgram } from "../src/vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../src/workspace.ts"
import { parsePrediction } from "../src/deploy.ts"

const model = importCanonical(join(fileURLToPath(new URL("../data/", import.meta.url)), "weather-lstm.json"))
const options: AppOptions = { features: ["temperature", "humidity", "pressure"], periodMs: 800, targets: [null], threshold: 0, steps: 2, stepAsync: false }

async function run(main: string, done: (l: string) => boolean): Promise<string[]> {
    const ws = new Workspace()
    try {
        ws.write("model.ts", emitModule(model, { encoding: "i8", libraryImport: WORKSPACE_LIBRARY }))
        ws.write("main.ts", main)
        const { binary } = await ws.build("main.ts")
        return (await runProgram(binary, { timeoutMs: 30_000, done })).lines
    } finally {
        ws.dispose()
    }
}

describe("device app", () => {
    it("skips an out-of-range reading: the state continues as if the row never came", async () => {
        const good = [[13.580078125, 70.900390625, 1013.5], [13.330078125, 72.5, 1013.2998046875]]
        // 200 °C is outside [-40, 85]: reported, not stepped; the next row resumes
        const lines = await run(simulatorSource(options, "./lib", [good[0], [200, 72.5, 1013.5], good[1]]), l => l === "dsrnn: done")
        expect(lines).toContain("dsrnn: fault temperature=200 outside [-40, 85]")
        expect(lines).toContain("dsrnn: resumed")
        const ys = lines.map(parsePrediction).filter(p => p !== null).map(p => p!.y)
        const expected = await simulate(model, good, { encoding: "i8" })
        expect(ys).toHaveLength(2)
        ys.forEach((y, t) => expect(Math.abs(y[0] - expected[t][0])).toBeLessThan(1e-9))
    })

    it("reports a sensor that is not there", async () => {
        const lines = await run(appSource(options, "./lib"), l => l.startsWith("dsrnn: fault"))
        expect(lines).toContain("dsrnn: fault temperature not bound")
        expect(lines.some(l => l.startsWith("dsrnn: t="))).toBe(false)
    })
})
