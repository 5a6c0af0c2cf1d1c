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
    const { UserError } = await import("../../src/core/errors.ts")
    return {
        ...real,
        simulatorFiles: (_app: unknown, rows: number[][]) => {
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

/** train itself, a few times (each run loads TF.js and fits): the model from a dialect file equals the one from the plain file. */
it(`train from seed ${SEED}: the same model from any dialect, column order and extra columns as from the plain file`, async () => {
    const trainCase = fc.record({
        rows: fc.array(fc.tuple(fc.integer({ min: -5000, max: 30000 }), fc.integer({ min: 20000, max: 90000 }), fc.integer({ min: 990000, max: 1030000 }), fc.integer({ min: -5000, max: 5000 })).map(r => r.map(k => k / 1000) as [number, number, number, number]), { minLength: 60, maxLength: 60 }),
        columns: fc.subarray([3, 4, 5], { minLength: 1 }).chain(extra => fc.shuffledSubarray([0, 1, 2, ...extra], { minLength: 3 + extra.length, maxLength: 3 + extra.length })),
        dialect: fc.constantFrom(",", ";", ";.", "\t"),
        bom: fc.boolean(),
        crlf: fc.boolean(),
        quoteAll: fc.boolean(),
    })
    const details = await fc.check(
        fc.asyncProperty(trainCase, async c => {
            const table = { ...c, junk: null, notes: Array.from({ length: c.rows.length }, (_, i) => ["ok", "door open", "a;b"][i % 3]) }
            writeFileSync(s.csv, renderCsv(table, c.columns))
            writeFileSync(s.plain, renderCsv({ ...table, dialect: ",", bom: false, crlf: false, quoteAll: false }, [0, 1, 2]))
            const before = [s.csv, s.plain].map(f => readFileSync(f))
            const models = []
            for (const csv of [s.csv, s.plain]) {
                const out = join(dir, "trained.json")
                const r = await runMain(dir, ["train", csv, "--target", "temperature", "--inputs", NAMES.join(","), "--arch", "rnn:2", "--epochs", "1", "--no-device", "-q", "-o", out])
                expect(r.code, r.stderr.join("\n")).toBe(0)
                models.push(readFileSync(out, "utf8").replaceAll(csv, "<csv>"))
            }
            expect([s.csv, s.plain].map(f => readFileSync(f).equals(before.shift()!))).toEqual([true, true])
            expect(models[0]).toBe(models[1])
        }),
        { seed: SEED, numRuns: 3, endOnFailure: true }
    )
    if (details.failed) throw new Error(`train broke a property (seed ${SEED}; replay with DSRNN_FUZZ_SEED=${SEED}): ${String(details.errorInstance).slice(0, 2500)}\n${fc.defaultReportMessage(details)?.slice(0, 1500)}`)
}, 120_000)
