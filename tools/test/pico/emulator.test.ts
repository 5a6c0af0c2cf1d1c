/**
 * The DeviceScript firmware itself, on an emulated Pico: firmware-tests
 * fixtures bundled into the committed UF2 and stepped on the RP2040, their
 * outputs against the float64 reference the fixture generator stored
 * (tools/src/model/reference.ts, not the VM). About 10 s of emulation.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { type PicoRunResult, runOnPico } from "../../src/pico/emulator.ts"
import { bundleForPico } from "../../src/pico/program.ts"
import { PACKAGE_ROOT } from "../../src/run/paths.ts"
import { readValues } from "../../src/run/value-lines.ts"
import { Workspace } from "../../src/run/workspace.ts"
import { fixtureImports, writeFixtures } from "../helpers/pico-fixtures.ts"

/** The fixtures stepped: the cheapest RNN (~0.65 M emulated cycles a step) and an i8 LSTM (~2.4 M). */
const FIXTURES = [
    { file: "rnn_f32", name: "rnnF32", tag: "R" },
    { file: "lstm_i8", name: "lstmI8", tag: "L" },
]

/** The f64 table `name` of a generated fixture, read from its hex literal. */
function fixtureTable(file: string, name: string): number[] {
    const source = readFileSync(join(PACKAGE_ROOT, "firmware-tests", "fixtures", `${file}.g.ts`), "utf8")
    const hex = new RegExp(`export const ${name} = hex\`([0-9a-f]*)\``).exec(source)![1]
    const bytes = Buffer.from(hex, "hex")
    return Array.from({ length: bytes.length / 8 }, (_, i) => bytes.readDoubleLE(8 * i))
}

// the model typed, not any: the compiler drops the methods it cannot see called
const program = `import * as ds from "@devicescript/core"
import { zeros } from "./lib/index"
${fixtureImports(FIXTURES)}
import { Fixture, readRow, rowCount } from "./fixture-rows"
import { endValues, sendValue } from "./value-lines"

async function steps(tag: string, f: Fixture) {
    const m = f.model
    const x = zeros(m.inputSize)
    const y = zeros(m.outputSize)
    m.reset()
    for (let t = 0; t < rowCount(f); t++) {
        readRow(f, t, x)
        m.step(x, y)
        for (let j = 0; j < m.outputSize; j++) sendValue(tag, y[j])
        await ds.sleep(0)
    }
    endValues(tag)
}
${FIXTURES.map(f => `await steps("${f.tag}", ${f.name})`).join("\n")}
console.log("DONE")
`

describe("the DeviceScript firmware on an emulated Pico", () => {
    let uf2: Uint8Array
    let first: PicoRunResult
    const run = () => runOnPico(uf2, { done: l => l === "DONE", maxCycles: 80e6 })

    beforeAll(async () => {
        const ws = new Workspace()
        try {
            writeFixtures(ws, FIXTURES)
            ws.addDevicePrograms()
            ws.write("main.ts", program)
            uf2 = await bundleForPico(ws, "main.ts")
        } finally {
            ws.dispose()
        }
        first = run()
    }, 300_000)

    test("the firmware boots and runs the bundled program", () => {
        // the firmware's boot, to the line it writes as it starts the program, costs about 7.5 M emulated cycles
        const start = first.dmesg.find(l => l.text.startsWith("* start"))
        expect(start?.cycles).toBeGreaterThan(5e6)
        expect(start?.cycles).toBeLessThan(12e6)
        expect(start?.opcodes).toBe(0)
        expect(first.opcodes).toBeGreaterThan(50_000)
        expect(first.lines.at(-1)!.text).toBe("DONE")
    })

    for (const f of FIXTURES) {
        test(`${f.file}: every output equals the float64 reference`, () => {
            const expected = fixtureTable(f.file, "expected")
            const got = readValues(first.lines.map(l => l.text), f.tag, expected.length)
            const err = Math.max(...got.map((y, i) => Math.abs(y - expected[i])))
            expect(err).toBeLessThan(1e-12)
        })
    }

    test("a second run gives the same emulated cycles and opcodes, line for line", () => {
        const second = run()
        expect(second.lines.length).toBe(first.lines.length)
        expect(second.lines).toEqual(first.lines)
        expect(second.cycles).toBe(first.cycles)
    })
})
