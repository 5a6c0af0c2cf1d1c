/**
 * Runs every firmware-tests/*.test.ts in the simulator and checks the
 * `tests: N, pass: P, error: E` line: an exit code alone proves nothing.
 */
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { parseTestSummary, runInSimulator } from "../../src/run/devs.ts"
import { PACKAGE_ROOT } from "../../src/run/paths.ts"

const files = readdirSync(join(PACKAGE_ROOT, "firmware-tests"))
    .filter(f => f.endsWith(".test.ts"))
    .sort()

describe("firmware tests in the DeviceScript simulator", () => {
    test("there are firmware tests", () => expect(files.length).toBeGreaterThan(0))

    for (const file of files) {
        test(file, async () => {
            const path = join("firmware-tests", file)
            const { code, output } = await runInSimulator(path, 600_000)
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
