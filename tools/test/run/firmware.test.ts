/**
 * Runs every firmware-tests/*.test.ts in the simulator and checks the
 * `tests: N, pass: P, error: E` line: an exit code alone proves nothing.
 */
import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { devs, parseTestSummary, runInSimulator } from "../../src/run/devs.ts"
import { PACKAGE_ROOT, projectRoot } from "../../src/run/paths.ts"
import { runProgram } from "../../src/run/vm.ts"

const files = readdirSync(join(PACKAGE_ROOT, "firmware-tests"))
    .filter(f => f.endsWith(".test.ts"))
    .sort()

/** Counts allocations from heap addresses, which `devs run --test` erases by collecting at every allocation. */
const WITHOUT_GC_STRESS = new Set(["allocation.test.ts"])

/** Builds `file` and runs it in the same VM with GC stress off, as a device runs; output as devs run gives it. */
async function runWithoutGcStress(file: string, timeoutMs: number) {
    const built = await devs(["build", file])
    if (built.code !== 0) return built
    const binary = readFileSync(join(projectRoot(), ".devicescript", "bin", "bytecode.devs"))
    // @devicescript/test restarts the program after its summary line, so stop there
    const { lines } = await runProgram(binary, { timeoutMs, done: l => parseTestSummary(l) !== null })
    const output = lines.join("\n")
    const summary = parseTestSummary(output)
    return { code: summary && summary.error === 0 ? 0 : 1, output }
}

describe("firmware tests in the DeviceScript simulator", () => {
    test("there are firmware tests", () => expect(files.length).toBeGreaterThan(0))

    for (const file of files) {
        test(file, async () => {
            const path = join("firmware-tests", file)
            const { code, output } = WITHOUT_GC_STRESS.has(file) ? await runWithoutGcStress(path, 600_000) : await runInSimulator(path, 600_000)
            const summary = parseTestSummary(output)
            const context = `\n--- simulator output ---\n${output.slice(-4000)}`
            expect(summary, `no test summary${context}`).not.toBeNull()
            expect(summary!.tests, `no tests ran${context}`).toBeGreaterThan(0)
            expect(summary!.error, `failures${context}`).toBe(0)
            expect(summary!.pass, context).toBe(summary!.tests)
            expect(code, `exit code${context}`).toBe(0)
        }, 600_000)
    }
})
