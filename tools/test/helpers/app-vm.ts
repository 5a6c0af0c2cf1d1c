/** Runs a main.ts (or an app's files: main.ts and what it imports) next to a model (the weather LSTM in i8 by default) in the in-process VM, with the app's custom service in the workspace. */
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { writeServices } from "../../src/board/app-build.ts"
import { emitModule } from "../../src/emit/emit.ts"
import { planModel } from "../../src/emit/plan.ts"
import { importCanonical } from "../../src/import/import-model.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import type { Encoding } from "../../src/model/quantize.ts"
import { runProgram } from "../../src/run/vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../../src/run/workspace.ts"

export const weatherModel = importCanonical(join(fileURLToPath(new URL("../../data/", import.meta.url)), "weather-lstm.json"))

/** The lines a main.ts (or an app's files) prints until `done` says so. */
export async function runWithWeatherModel(
    main: string | Record<string, string>,
    done: (l: string) => boolean,
    timeoutMs = 30_000,
    model: CanonicalModel = weatherModel,
    encoding: Encoding = "i8"
): Promise<string[]> {
    const ws = new Workspace()
    try {
        writeServices(ws)
        ws.write("model.ts", emitModule(planModel(model, encoding, "flash-matrices"), { libraryImport: WORKSPACE_LIBRARY }))
        for (const [name, source] of Object.entries(typeof main === "string" ? { "main.ts": main } : main)) ws.write(name, source)
        const { binary } = await ws.build("main.ts")
        return (await runProgram(binary, { timeoutMs, done })).lines
    } finally {
        ws.dispose()
    }
}
