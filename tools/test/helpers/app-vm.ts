/** Runs a main.ts next to the weather LSTM (i8) in the in-process VM, with the app's custom service in the workspace. */
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { writeServices } from "../../src/board/app-build.ts"
import { emitModule } from "../../src/emit/emit.ts"
import { importCanonical } from "../../src/import/import-model.ts"
import { runProgram } from "../../src/run/vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../../src/run/workspace.ts"

export const weatherModel = importCanonical(join(fileURLToPath(new URL("../../data/", import.meta.url)), "weather-lstm.json"))

/** The lines `main` prints until `done` says so. */
export async function runWithWeatherModel(main: string, done: (l: string) => boolean, timeoutMs = 30_000): Promise<string[]> {
    const ws = new Workspace()
    try {
        writeServices(ws)
        ws.write("model.ts", emitModule(weatherModel, { encoding: "i8", libraryImport: WORKSPACE_LIBRARY }))
        ws.write("main.ts", main)
        const { binary } = await ws.build("main.ts")
        return (await runProgram(binary, { timeoutMs, done })).lines
    } finally {
        ws.dispose()
    }
}
