/**
 * The committed firmware-tests fixtures are what the emitter writes today.
 * Those tests run the committed files in the VM and on the emulated Pico;
 * without this check an emitter change left them testing older programs
 * (they had lost the derived and interval fields of the scaling object).
 */
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { expect, test } from "vitest"
import { PACKAGE_ROOT } from "../../src/run/paths.ts"

test("firmware-tests/fixtures equal the generator's output", () => {
    const tsx = join(PACKAGE_ROOT, "node_modules", ".bin", "tsx")
    const run = spawnSync(tsx, [join(PACKAGE_ROOT, "tools", "scripts", "gen-firmware-fixtures.ts"), "--check"], { encoding: "utf8" })
    expect(run.stderr.trim()).toBe("")
    expect(run.status).toBe(0)
}, 60_000)
