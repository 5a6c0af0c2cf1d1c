/**
 * `dsrnn simulate --target pico` against `dsrnn simulate` (the host's WASM
 * VM): the same CSV, row for row. Two independent runtimes of the same
 * program: the firmware's C interpreter on the emulated RP2040, its doubles
 * in the bootrom's and newlib's routines, against the WASM build.
 *
 * One operation differs: Math.pow, which every sigmoid and tanh calls
 * (src/activation.ts). The firmware's pow (pico-sdk's double routines) and
 * the WASM libm's round some results to neighbouring doubles; +, -, * and /
 * are correctly rounded on both. So a model without activations (Dense,
 * linear, with normalization) must be bit-identical, and a recurrent model
 * may differ in the last bits of some rows: bounded here at 1e-14 absolute
 * (outputs of order 0.1-1; measured 6e-17 over 40 rows) with most rows still
 * bit-identical. About 45 s of CPU, most of it emulation and two bundles per model.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, test } from "vitest"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { randomMatrix, randomRecurrentModel, seededRandom } from "../../src/model/random.ts"
import { runCli } from "../helpers/cli.ts"

/** The gap Math.pow's last bits may open between the two targets' outputs (see above). */
const POW_BOUND = 1e-14

const dir = mkdtempSync(join(tmpdir(), "dsrnn-picosim-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function writeCase(name: string, model: CanonicalModel, rows: number): { model: string; csv: string } {
    const modelFile = join(dir, `${name}.json`)
    writeFileSync(modelFile, JSON.stringify(model))
    const data = randomMatrix(seededRandom(rows), rows, model.inputSize, 1.5)
    const csv = join(dir, `${name}.csv`)
    writeFileSync(csv, [Array.from({ length: model.inputSize }, (_, j) => `x${j}`).join(","), ...data.map(r => r.join(","))].join("\n") + "\n")
    return { model: modelFile, csv }
}

/** The CSV lines `dsrnn simulate` writes on `target`. */
async function simulateCsv(c: { model: string; csv: string }, target: string, weights: string, extra: string[] = []): Promise<string[]> {
    const out = join(dir, `out-${target}-${Date.now()}.csv`)
    const r = await runCli(["simulate", c.model, "--input", c.csv, "--output", out, "--weights", weights, "--target", target, ...extra])
    expect(r.code, r.stderr).toBe(0)
    return readFileSync(out, "utf8").trim().split("\n")
}

/** A linear Dense(2) of 3 inputs, with input and output normalization: only +, -, * and /. */
function linearModel(): CanonicalModel {
    const r = seededRandom(7)
    return {
        format: "dsrnn-model",
        version: 1,
        inputSize: 3,
        outputSize: 2,
        inputNormalization: { mean: [0.3, -0.1, 2], std: [1.7, 0.3, 3.1] },
        outputNormalization: { mean: [10, -4], std: [2.5, 0.7] },
        layers: [{ type: "dense", inputSize: 3, units: 2, activation: "linear", W: randomMatrix(r, 2, 3, 1), b: [0.2, -0.3] }],
    }
}

function compare(host: string[], pico: string[]) {
    expect(pico.length).toBe(host.length)
    expect(pico[0]).toBe(host[0])
    let same = 0
    let worst = 0
    for (let t = 1; t < host.length; t++) {
        const h = host[t].split(",").map(Number)
        const p = pico[t].split(",").map(Number)
        expect(p.length).toBe(h.length)
        if (pico[t] === host[t]) same++
        h.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - p[j]))))
    }
    const values = host.slice(1).flatMap(l => l.split(",").map(Number))
    expect(Math.max(...values) - Math.min(...values), "outputs must vary, or the check proves little").toBeGreaterThan(0.02)
    return { same, rows: host.length - 1, worst }
}

describe("simulate --target pico writes the host target's CSV", () => {
    test("a linear Dense model (no Math.pow): bit-identical, 100 rows", async () => {
        const c = writeCase("dense", linearModel(), 100)
        const [host, pico] = [await simulateCsv(c, "host", "f32"), await simulateCsv(c, "pico", "f32")]
        expect(pico).toEqual(host)
    }, 240_000)

    for (const { name, cell, weights, units, rows, specialize } of [
        { name: "an i8 LSTM(2), specialised", cell: "lstm", weights: "i8", units: 2, rows: 160, specialize: "on" },
        { name: "an f32 GRU(2), in flash matrices", cell: "gru", weights: "f32", units: 2, rows: 80, specialize: "off" },
    ] as const) {
        test(`${name}: ${rows} rows, equal but for Math.pow's last bits`, async () => {
            const c = writeCase(`${cell}-${weights}`, randomRecurrentModel(cell, 1, units, 3), rows)
            const extra = ["--specialize", specialize, "--unroll", "off"]
            const { same, rows: n, worst } = compare(await simulateCsv(c, "host", weights, extra), await simulateCsv(c, "pico", weights, extra))
            expect(n).toBe(rows)
            expect(worst).toBeLessThan(POW_BOUND)
            expect(same, "most rows bit-identical").toBeGreaterThan(n / 2)
        }, 300_000)
    }
})
