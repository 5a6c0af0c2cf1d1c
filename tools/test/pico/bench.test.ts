/**
 * `dsrnn bench --target pico` on one tiny model: the figures agree with one
 * another (cycles/opcode = cycles / opcodes, ms = cycles / 125,000), and each
 * path's opcodes per step, counted on the emulated firmware at every
 * dispatch of devs_vm_exec_opcode, equal the host VM's count of the same
 * module's step, found with its watchdog (run/opcodes.ts, to within its
 * 13-opcode resolution): two independent measurements.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, test } from "vitest"
import { type LayerPath, describePlan, planModel } from "../../src/emit/plan.ts"
import { randomRecurrentModel } from "../../src/model/random.ts"
import { type PicoBench, formatPicoBench } from "../../src/pico/bench.ts"
import { countStepOpcodes } from "../../src/run/opcodes.ts"
import { runCli } from "../helpers/cli.ts"

/** The watchdog count's resolution: one round of the 13-opcode calibration loop. */
const RESOLUTION = 13
/** The host count also holds one iteration of its program's step loop (tools/device/opcodes.ts: LOAD, LOAD, LT, JMP_Z, LOAD, CONST, ADD, STORE, JMP). */
const HOST_LOOP = 9

const dir = mkdtempSync(join(tmpdir(), "dsrnn-picobench-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const model = randomRecurrentModel("lstm", 1, 2, 3)

describe("bench --target pico", () => {
    let bench: PicoBench
    test("prints every path, labelled emulated", async () => {
        const file = join(dir, "tiny.json")
        writeFileSync(file, JSON.stringify(model))
        const json = await runCli(["bench", file, "--target", "pico", "--json"])
        expect(json.code, json.stderr).toBe(0)
        bench = JSON.parse(json.stdout)
        expect(bench.paths.map(p => p.name)).toEqual(["naive", "flash matrices", "unrolled flash", "specialised"])
        const text = formatPicoBench(bench)
        expect(text).toContain("emulated")
        expect(text).toContain("flash (XIP) cache is not modelled")
        for (const p of bench.paths) expect(text).toContain(p.name)
    }, 300_000)

    test("the figures agree with one another", () => {
        for (const p of bench.paths) {
            expect(p.cyclesPerStep, p.name).toBeGreaterThan(0)
            expect(p.cyclesPerOpcode).toBeCloseTo(p.cyclesPerStep / p.opcodesPerStep, 9)
            expect(p.msPerStep).toBeCloseTo(p.cyclesPerStep / 125e3, 9)
            expect(p.heapBytes).toBeGreaterThan(0)
        }
    })

    test("opcodes per step equal the host VM's watchdog count of the same step", async () => {
        for (const path of ["flash-matrices", "unrolled-flash", "literal-code"] as LayerPath[]) {
            const plan = planModel(model, "i8", path)
            const host = await countStepOpcodes(plan)
            const pico = bench.paths.find(p => p.name === describePlan(plan))!.opcodesPerStep
            // measured: host - pico = 8, 12 and 9 for the three paths
            expect(host - pico, `${path}: pico ${pico}, host ${host}`).toBeGreaterThanOrEqual(-RESOLUTION)
            expect(host - pico, `${path}: pico ${pico}, host ${host}`).toBeLessThanOrEqual(RESOLUTION + HOST_LOOP)
        }
    }, 300_000)
})
