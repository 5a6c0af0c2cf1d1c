/**
 * Board profiles, budget refusals and the on-board commands' errors. The
 * refusals and argument errors happen before any build, so those spawns cost
 * only tsx's start-up; one test builds, one bundles from a fake firmware file.
 */
import { existsSync, readFileSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REPO_ROOT, runCli } from "../helpers/cli.ts"
import { getBoard, loadBoards } from "../../src/board/boards.ts"
import { boardBudgets } from "../../src/report/report.ts"
import { buildFittingApp, prepareApp } from "../../src/board/app-build.ts"
import { buildOptions } from "../../src/cli/app-options.ts"
import { APP_CODE_BYTES, checkBudget, estimateBudget as estimatePlan } from "../../src/board/budget.ts"
import { SLICE_MACS, STEP_OPCODE_LIMIT } from "../../../src/limits.ts"
import { arrayBytes, pushCapacity } from "../../src/emit/heap.ts"
import { planModel } from "../../src/emit/plan.ts"
import type { BoardProfile } from "../../src/board/boards.ts"
import type { Encoding } from "../../src/model/quantize.ts"
import type { CanonicalModel, Layer } from "../../src/model/canonical.ts"

const WEATHER = join(REPO_ROOT, "tools", "data", "weather-lstm.json")


const matrix = (rows: number, cols: number, v = 0.1) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => v))
const lstm = (inputSize: number, units: number): Layer => ({
    type: "lstm", inputSize, units, activation: "tanh", recurrentActivation: "sigmoid",
    Wx: matrix(4 * units, inputSize), Wh: matrix(4 * units, units), bx: Array(4 * units).fill(0.1), bh: Array(4 * units).fill(0),
})
const dense = (inputSize: number, units: number): Layer => ({ type: "dense", inputSize, units, activation: "linear", W: matrix(units, inputSize), b: Array(units).fill(0.1) })

function model(layers: Layer[]): CanonicalModel {
    return {
        format: "dsrnn-model", version: 1, name: "test", inputSize: layers[0].inputSize, outputSize: layers[layers.length - 1].units, layers,
        inputNames: ["temperature", "humidity", "pressure"].slice(0, layers[0].inputSize),
    }
}

let dir: string
beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dsrnn-boards-"))
})
afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
})

/** The budget of a model as flash matrices (the estimates' own tests below). */
const estimateBudget = (m: CanonicalModel, encoding: Encoding, board: BoardProfile, sync = false) => estimatePlan(planModel(m, encoding, "flash-matrices"), board, sync)

async function modelFile(name: string, m: CanonicalModel): Promise<string> {
    const file = join(dir, name)
    await writeFile(file, JSON.stringify(m))
    return file
}

describe("board profiles", () => {
    it("lists every board of the issue with its budgets", () => {
        const ids = loadBoards().map(b => b.id)
        for (const id of ["esp32c3_bare", "seeed_xiao_esp32c3", "esp32_devkit_c", "esp32s3_devkit_m", "adafruit_feather_esp32_s2", "pico", "pico_w", "simulator"])
            expect(ids).toContain(id)
        expect(getBoard("adafruit_feather_esp32_s2").heapBytes).toBe(40_960)
        expect(getBoard("esp32c3_bare").heapBytes).toBe(65_536)
        expect(getBoard("pico").imageBytes).toBe(110_000)
        expect(getBoard("esp32_devkit_c").imageBytes).toBe(220_000)
    })

    it("names the known boards for an unknown id", () => {
        expect(() => getBoard("uno")).toThrow(/unknown board "uno"; known boards: esp32c3_bare, .*pico_w/)
    })

    it("decides step or stepAsync at the limit the device enforces (src/limits.ts, read by both sides)", () => {
        // half of the watchdog's 131,072 opcodes per fiber slice (docs/platform.md), and stepAsync's block
        expect(STEP_OPCODE_LIMIT).toBe(131_072 / 2)
        expect(SLICE_MACS).toBe(2000)
        const roomy: BoardProfile = { ...getBoard("pico"), sliceOpcodes: 4 * STEP_OPCODE_LIMIT }
        const plan = planModel(model([dense(3, 1)]), "i8", "flash-matrices")
        expect(estimatePlan({ ...plan, opcodes: STEP_OPCODE_LIMIT }, roomy).stepAsync).toBe(false)
        expect(estimatePlan({ ...plan, opcodes: STEP_OPCODE_LIMIT + 1 }, roomy).stepAsync).toBe(true)
    })
})

describe("budget estimates", () => {
    it("grows number[] capacity as the VM does for push", () => {
        expect([1, 4, 5, 6, 7, 9, 12, 16, 21, 27, 34, 43, 54, 68].map(pushCapacity)).toEqual([4, 4, 6, 6, 8, 11, 15, 20, 26, 33, 42, 53, 67, 85])
        expect(arrayBytes(8)).toBe(20 + 8 * 8)
    })

    it("refuses a model over the image budget with the numbers", () => {
        const big = model([lstm(3, 128), dense(128, 1)])
        const b = estimateBudget(big, "f32", getBoard("pico"))
        expect(() => checkBudget(b, getBoard("pico"))).toThrow(/^model needs [\d,]+ B of image, pico allows 110,000 B/)
        // i8 weights are a quarter the size: fits the ESP32 image
        expect(() => checkBudget(estimateBudget(big, "i8", getBoard("esp32c3_bare")), getBoard("esp32c3_bare"))).not.toThrow()
    })

    it("refuses a model over the heap budget on the 40 KB ESP32-S2, not on a 64 KB board", () => {
        // 80 small dense layers: little weight data, but each layer's objects and arrays cost heap
        const deep = model([dense(3, 8), ...Array.from({ length: 79 }, () => dense(8, 8))])
        const s2 = getBoard("adafruit_feather_esp32_s2")
        const b = estimateBudget(deep, "i8", s2)
        expect(b.heapBytes).toBeGreaterThan(40_960)
        expect(b.heapBytes).toBeLessThan(65_536)
        expect(() => checkBudget(b, s2)).toThrow(/^model needs [\d,]+ B of heap, adafruit_feather_esp32_s2 has 40,960 B/)
        expect(() => checkBudget(estimateBudget(deep, "i8", getBoard("esp32s3_devkit_m")), getBoard("esp32s3_devkit_m"))).not.toThrow()
    })

    it("counts the season ring of derived inputs: a week of hourly rows is 167 + 1 readings of heap", () => {
        const base = model([dense(3, 1)])
        const weekly = { ...base, period: 168, features: { season: [0] } }
        const grown = estimateBudget(weekly, "i8", getBoard("pico")).heapBytes - estimateBudget(base, "i8", getBoard("pico")).heapBytes
        // the ring, 168 readings pushed: 170 slots of 8 B (4, 6, 8, 11, 15, 20, 26, 33, 42, 53, 67, 85, 107, 135, 170);
        // around it the Derivation (10 fields: 10 slots) 184, its config literal (8 fields) 152, season [0] 28, the
        // empty prev 16, and the Derivation's prototype (2 methods) 124
        expect(grown).toBe(20 + 8 * 170 + 184 + 152 + 28 + 16 + 124)
    })

    it("refuses a synchronous step over the slice budget, and uses stepAsync otherwise", () => {
        const wide = model([lstm(3, 40), dense(40, 1)]) // 4 * 40 * 43 = 6,880 multiply-adds
        const pico = getBoard("pico")
        expect(() => checkBudget(estimateBudget(wide, "i8", pico, true), pico)).toThrow(/^one step takes 199,300 opcodes \(6,920 multiply-adds\), pico allows 65,536 per slice/)
        const auto = estimateBudget(wide, "i8", pico)
        expect(auto.stepAsync).toBe(true)
        expect(() => checkBudget(auto, pico)).not.toThrow()
    })
})

describe("dsrnn build / bundle / flash", () => {
    it("builds the weather app and reports image, heap and step cost; the image estimate bounds the real size", async () => {
        const r = await runCli(["build", WEATHER, "--board", "pico", "--specialize", "off", "--unroll", "off"])
        expect(r.code, r.stderr).toBe(0)
        expect(r.stdout).toMatch(/code: +flash matrices \(--specialize off; --unroll off\)/)
        const image = Number(/image: ([\d,]+) B of 110,000 B/.exec(r.stdout)![1].replace(/,/g, ""))
        expect(r.stdout).toMatch(/heap: +[\d,]+ B \(estimate\) of 65,536 B/)
        expect(r.stdout).toMatch(/step: +360 multiply-adds/)
        expect(image).toBeGreaterThan(4000)
        expect(APP_CODE_BYTES).toBeGreaterThanOrEqual(image)
        expect(APP_CODE_BYTES).toBeLessThan(image + 8192)
    })

    it("takes specialised code when it fits, and otherwise specialises what fits and unrolls the rest, saying why", async () => {
        const wideModel = model([lstm(3, 64), dense(64, 1)])
        const wide = await modelFile("wide.json", wideModel)
        const [small, large] = await Promise.all([runCli(["build", WEATHER, "--board", "pico"]), runCli(["build", wide, "--board", "pico"])])
        expect(small.code, small.stderr).toBe(0)
        expect(small.stdout).toMatch(/code: +specialised: ~[\d,]+ B of image fits 110,000 B/)
        // 360 multiply-adds: 4 opcodes each instead of 22, so the step costs well under the flash path's ~10,000
        expect(Number(/~([\d,]+) opcodes/.exec(small.stdout)![1].replace(/,/g, ""))).toBeLessThan(5000)
        expect(large.code, large.stderr).toBe(0)
        expect(large.stdout).toMatch(/code: +lstm\(64\) unrolled flash, dense\(1\) specialised \(specialised code for 17,216 multiply-adds would pass the VM's 64 KB bytecode limit/)
        // the report's budget chart costs the code build deployed, not flash matrices
        const chart = boardBudgets(wideModel, "i8").find(b => b.board.id === "pico")!
        const figure = (re: RegExp) => Number(re.exec(large.stdout)![1].replace(/,/g, ""))
        expect(chart.code).toBe("lstm(64) unrolled flash, dense(1) specialised")
        expect(chart.budget.heapBytes).toBe(figure(/heap: +([\d,]+) B/))
        expect(chart.budget.stepOpcodes).toBe(figure(/~([\d,]+) opcodes/))
    })

    it("falls back to flash matrices when the specialised image really built is too large", async () => {
        const flags = { board: "pico", weights: "i8" as const, anomaly: "0", period: "1000" }
        const p = await prepareApp(WEATHER, buildOptions(flags))
        expect(p.plan.layers.map(l => l.path)).toEqual(["literal-code", "literal-code"])
        // the real images of both paths (about 18.2 and 16.8 KB), then a board whose image limit is between them
        const real = async (prepared: typeof p) => {
            const { ws, image } = await buildFittingApp(prepared)
            ws.dispose()
            return image
        }
        const specialised = await real(p)
        const flash = await real(await prepareApp(WEATHER, buildOptions({ ...flags, specialize: "off", unroll: "off" })))
        expect(flash).toBeLessThan(specialised - 256)
        const limit = Math.round((flash + specialised) / 2)
        const tight = { ...p, board: { ...p.board, imageBytes: limit } }
        const { p: built, ws, image } = await buildFittingApp(tight)
        ws.dispose()
        expect(built.plan.layers.map(l => l.path)).toEqual(["flash-matrices", "flash-matrices"])
        expect(built.why).toBe(`flash matrices (specialised: the app's image is ${specialised.toLocaleString("en-US")} B, pico allows ${limit.toLocaleString("en-US")} B)`)
        expect(image).toBe(flash)
    })

    it("refuses an oversized model before building, in one line", async () => {
        const file = await modelFile("big.json", model([lstm(3, 128), dense(128, 1)]))
        const r = await runCli(["build", file, "--board", "pico", "--weights", "f32"])
        expect(r.code).toBe(1)
        expect(r.stderr.trim()).toMatch(/^dsrnn: model needs [\d,]+ B of image, pico allows 110,000 B; use smaller weights/)
        expect(r.stderr.trim().split("\n")).toHaveLength(1)
        // already i8: the only way out is a smaller model
        const i8 = await runCli(["build", await modelFile("bigger.json", model([lstm(3, 400), dense(400, 1)])), "--board", "pico", "--weights", "i8"])
        expect(i8.code).toBe(1)
        expect(i8.stderr.trim()).toMatch(/^dsrnn: model needs [\d,]+ B of image, pico allows 110,000 B; use fewer units or layers$/)
    })

    it("gives one-line errors for an unknown board, unmapped inputs and a missing board", async () => {
        const unnamed = await modelFile("unnamed.json", { ...model([lstm(3, 4), dense(4, 1)]), inputNames: undefined })
        const [board, names, flash, bundle] = await Promise.all([
            runCli(["build", WEATHER, "--board", "uno"]),
            runCli(["build", unnamed, "--board", "pico"]),
            runCli(["flash", WEATHER, "--board", "esp32c3_bare", "--port", "/dev/does-not-exist"]),
            runCli(["bundle", WEATHER, "--board", "pico_w"], dir),
        ])
        expect(board.stderr.trim()).toMatch(/^dsrnn: unknown board "uno"; known boards: /)
        expect(names.stderr.trim()).toMatch(/^dsrnn: the model has no inputNames; say which sensor feeds each of its 3 readings with --sensors/)
        expect(flash.stderr.trim()).toBe("dsrnn: no board at /dev/does-not-exist: the port does not exist")
        expect(bundle.stderr.trim()).toMatch(/^dsrnn: no DeviceScript firmware for pico_w: pass --firmware <devicescript-rp2040w-pico_w.uf2>/)
        for (const r of [board, names, flash, bundle]) expect(r.code).toBe(1)
    })

    it("has --help for every command", async () => {
        const results = await Promise.all(["build", "bundle", "flash", "deploy"].map(c => runCli([c, "--help"])))
        results.forEach(r => {
            expect(r.code).toBe(0)
            expect(r.stdout).toMatch(/Usage: dsrnn (build|bundle|flash|deploy) \[options\] <model>/)
            expect(r.stdout).toContain("Example:")
        })
    })

    it("bundles the app with a firmware file given on the command line, two bundles side by side", async () => {
        // A blank ESP32-C3 image: devs bundle only pads it and writes the program at the settings offset.
        const firmware = join(dir, "firmware.bin")
        await writeFile(firmware, Buffer.alloc(65_536))
        // devs bundle serves devtools on fixed ports itself; dsrnn moves them, so both succeed
        const [out, other] = [join(dir, "bundle.bin"), join(dir, "other.bin")]
        const [r, s] = await Promise.all([out, other].map(o => runCli(["bundle", WEATHER, "--board", "esp32c3_bare", "--firmware", firmware, "--out", o], dir)))
        expect(s.code, s.stderr).toBe(0)
        expect(r.code, r.stderr).toBe(0)
        expect(r.stdout.trim().split("\n").pop()).toBe(out)
        expect(existsSync(out)).toBe(true)
        const image = readFileSync(out)
        expect(readFileSync(other).equals(image)).toBe(true)
        const FSTOR = 0x1c0000 // esp32c3 settings/program area
        expect(image.length).toBeGreaterThan(FSTOR)
        expect(image.subarray(FSTOR, FSTOR + 64).some(b => b !== 0xff)).toBe(true)
    })
})
