/**
 * A model on sensors the app did not know before the table: light level and
 * soil moisture, through prepareApp (with --range) and the simulated-sensor
 * app, in the in-process VM. Its predictions must equal the float64 reference on the
 * rows that reached the model, and a reading inside the table's range but
 * outside the --range one must be a fault.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { appFiles, simulatorFiles } from "../../src/board/app-program.ts"
import { prepareApp } from "../../src/board/app-build.ts"
import { parsePrediction } from "../../src/board/app-lines.ts"
import { buildOptions } from "../../src/cli/app-options.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { randomLstmModel } from "../../src/model/random.ts"
import { quantizeModel } from "../../src/model/quantize.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { runWithWeatherModel as run } from "../helpers/app-vm.ts"

const model: CanonicalModel = { ...randomLstmModel(2, 4, 16), inputNames: ["light_level", "soil_moisture"], outputNames: ["light_level"] }

describe("newer sensor kinds in the device app", () => {
    it("light level + soil moisture: only their clients, predictions equal float64, and --range makes 0.75 a fault", async () => {
        const dir = await mkdtemp(join(tmpdir(), "dsrnn-sensors-"))
        try {
            const file = join(dir, "model.json")
            await writeFile(file, JSON.stringify(model))
            const p = await prepareApp(file, buildOptions({ board: "simulator", weights: "i8", period: "800", range: ["light_level=0:0.5"] }), 2)
            expect(p.app.features).toEqual(["light_level", "soil_moisture"])
            // the board app creates the two clients the model reads, and no other
            const board = appFiles(p.app)["app-params.ts"]
            expect(board.match(/new ds\.\w+\(\)/g)).toEqual(["new ds.LightLevel()", "new ds.SoilMoisture()"])
            // on the u0.16 grid, so the wire keeps them as they are
            const good = [[0.25, 0.5], [0.125, 0.75]]
            const lines = await run(simulatorFiles(p.app, [good[0], [0.75, 0.5], good[1]]), l => l === "dsrnn: done", 30_000, model, "i8")
            expect(lines).toContain("dsrnn: fault light_level=0.75 outside [0, 0.5]")
            expect(lines).toContain("dsrnn: resumed")
            const ys = lines.map(parsePrediction).filter(y => y !== null).map(y => y!.y[0])
            const expected = new ReferenceModel(quantizeModel(model, "i8")).run(good)
            expect(ys).toHaveLength(2)
            ys.forEach((y, t) => expect(Math.abs(y - expected[t][0])).toBeLessThan(1e-9))
        } finally {
            await rm(dir, { recursive: true, force: true })
        }
    })
})
