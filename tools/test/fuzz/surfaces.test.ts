/**
 * The property-based suite for the commands that read the user's CSV
 * (helpers/fuzz/surfaces.ts says what each case checks): simulate, evaluate,
 * report, deploy and train's reading step on generated tables in every
 * dialect, column order and with extra columns and junk, plus a few real
 * train runs. deploy runs up to the moment it would build the app for the
 * VM: a stand-in for the simulator program records the rows it was given and
 * stops there. DSRNN_FUZZ_SEED replays another seed; a failure names it.
 */
import fc from "fast-check"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, it, vi } from "vitest"

const stand = vi.hoisted(() => ({ deployed: {} as { rows?: number[][] }, stopped: "the test's stand-in for the VM stops here" }))
vi.mock("../../src/board/app-program.ts", async importOriginal => {
    const real = await importOriginal<typeof import("../../src/board/app-program.ts")>()
    const { UserError } = await import("../../src/model/errors.ts")
    return {
        ...real,
        simulatorSource: (_app: unknown, _library: string, rows: number[][]) => {
            stand.deployed.rows = rows
            throw new UserError(stand.stopped)
        },
    }
})

import { runMain } from "../helpers/fuzz/cli.ts"
import { COMMANDS, MODEL, NAMES, type SurfaceDir, renderCsv, runSurfaceCase, surfaceCase } from "../helpers/fuzz/surfaces.ts"

const SEED = Number(process.env.DSRNN_FUZZ_SEED ?? 20261202)
const RUNS = 400

const dir = mkdtempSync(join(tmpdir(), "dsrnn-surfaces-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const s: SurfaceDir = { dir, model: join(dir, "model.json"), csv: join(dir, "in.csv"), plain: join(dir, "plain.csv"), ...stand }
writeFileSync(s.model, JSON.stringify(MODEL))

it(`${RUNS} CSVs and flag sets from seed ${SEED} through simulate, evaluate, report, deploy and train's reader`, async () => {
    const tally = Object.fromEntries(COMMANDS.map(c => [c, { accepted: 0, refused: 0 }]))
    const details = await fc.check(
        fc.asyncProperty(surfaceCase, async c => void tally[c.command][await runSurfaceCase(s, c)]++),
        { seed: SEED, numRuns: RUNS, endOnFailure: true }
    )
    if (details.failed) throw new Error(`surfaces broke a property (seed ${SEED}; replay with DSRNN_FUZZ_SEED=${SEED}): ${String(details.errorInstance).slice(0, 2500)}\n${fc.defaultReportMessage(details)?.slice(0, 2000)}`)
    // each command both took and refused cases, or the generator tests less than it seems
    for (const c of COMMANDS) {
        expect(tally[c].accepted, c).toBeGreaterThan(RUNS / 50)
        expect(tally[c].refused, c).toBeGreaterThan(c === "read" ? 0 : RUNS / 100)
    }
}, 120_000)
