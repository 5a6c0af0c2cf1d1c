/**
 * firmware-tests fixtures in a program for the emulated Pico
 * (tools/test/pico/): the fixture modules, their import of src/ pointed at
 * the workspace's lib/, and a device module `./fixture-rows` that reads
 * their input rows.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PACKAGE_ROOT } from "../../src/run/paths.ts"
import type { Workspace } from "../../src/run/workspace.ts"

/** A fixture as its module exports it: `name` from `./fixtures/<file>.g`. */
export interface PicoFixture {
    file: string
    name: string
}

const FIXTURE_ROWS = `import { Model } from "./lib/index"

/** What a fixture module exports: a model and its input rows (f64, row after row). */
export interface Fixture {
    model: Model
    inputs: Buffer
}

export function rowCount(f: Fixture) {
    return f.inputs.length / (8 * f.model.inputSize)
}

/** Input row \`t\` of \`f\` into \`x\`. */
export function readRow(f: Fixture, t: number, x: number[]) {
    const n = f.model.inputSize
    for (let j = 0; j < n; j++) x[j] = f.inputs.getAt(8 * (t * n + j), "f64")
}
`

/** The program's import lines of `fixtures`. */
export function fixtureImports(fixtures: PicoFixture[]): string {
    return fixtures.map(f => `import { ${f.name} } from "./fixtures/${f.file}.g"`).join("\n")
}

/** Writes the modules of `fixtures` and ./fixture-rows into `ws`. */
export function writeFixtures(ws: Workspace, fixtures: PicoFixture[]) {
    for (const f of fixtures) {
        const source = readFileSync(join(PACKAGE_ROOT, "firmware-tests", "fixtures", `${f.file}.g.ts`), "utf8")
        ws.write(`fixtures/${f.file}.g.ts`, source.replace(`from "../../src/index"`, `from "../lib/index"`))
    }
    ws.write("fixture-rows.ts", FIXTURE_ROWS)
}
