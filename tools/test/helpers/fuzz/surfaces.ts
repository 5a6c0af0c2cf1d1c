/**
 * Property-based cases for the commands that read the user's CSV: simulate,
 * evaluate, report, deploy and train's reading step. Each case is a table of
 * known values under known column names, written with the columns shuffled,
 * extra columns (a number, a date, free text), a junk cell maybe, in one
 * dialect (`,` `;` with decimal commas or points, tab; BOM; CRLF; quotes),
 * and sometimes extra flags. The command runs in-process (runMain) and:
 *
 * (a) ends with exit 0, or one "dsrnn: ..." line (the "data: " notes before
 *     it aside), or commander's "error: " usage line; never a stack trace;
 * (b) leaves every input file byte-identical;
 * (c) when the flags are the plain ones, sees the numbers an independent
 *     oracle gives: for simulate --reference the model's output computed by
 *     hand from the table (y = tanh(0.5 t - 0.25 h + 0.001 p), row by row);
 *     for train's reader the table's own values; for evaluate, report and
 *     deploy the same command on the table written as a plain comma file in
 *     the model's order (and its date column, if any), and for deploy also the table's values as the
 *     sensors send them;
 * (d) refuses in one line of at most MESSAGE_LIMIT characters.
 */
import fc from "fast-check"
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { readColumns } from "../../../src/io/columns.ts"
import { parseDelimiter } from "../../../src/io/csv.ts"
import { runMain } from "./cli.ts"
import { MESSAGE_LIMIT, PropertyBroken, checkRefusal } from "./property.ts"

/** The model's inputs, in its order; the table's columns 0-2. */
export const NAMES = ["temperature", "humidity", "pressure"] as const
/** rnn(1) without recurrence and dense(1) = identity: each row's output is tanh(0.5 t - 0.25 h + 0.001 p). */
export const MODEL = {
    format: "dsrnn-model",
    version: 1,
    inputSize: 3,
    outputSize: 1,
    inputNames: [...NAMES],
    outputNames: ["temperature"],
    layers: [
        { type: "rnn", inputSize: 3, units: 1, activation: "tanh", Wx: [[0.5, -0.25, 0.001]], Wh: [[0]], bx: [0], bh: [0] },
        { type: "dense", inputSize: 1, units: 1, activation: "linear", W: [[1]], b: [0] },
    ],
}
export const byHand = ([t, h, p]: number[]) => Math.tanh(0.5 * t - 0.25 * h + 0.001 * p)

/** Column 3 is an extra number, 4 a date, 5 free text. */
const EXTRA_NAMES = ["x", "date", "note"]
const NOTES = ["ok", "door open", "a;b", "tab\there", 'say "hi"', "1,5 m"]
/** Cells that are no reading, the same in every dialect (none holds a comma or a point followed by digits alone). */
const JUNK = ["", " ", "abc", "NaN", "n/a", "0x10", "1e999", "-1e999", "Infinity", "1.2.3", "--1", "1_000", "+-2", "٣"]

/** A value with at most 3 decimals in [lo, hi], so its text reads back exactly. */
const value = (lo: number, hi: number) => fc.integer({ min: lo * 1000, max: hi * 1000 }).map(k => k / 1000)
const row = fc.tuple(value(-20, 40), value(0, 100), value(950, 1050), value(-5, 5))

/** The flags a user might add; any of them makes the case check (a), (b) and (d) only, except a right --delimiter. */
const extraFlag = fc.oneof(
    fc.constantFrom(["--delimiter", "@right"], ["--delimiter", ","], ["--delimiter", ";"], ["--delimiter", "tab"], ["--delimiter", "x"], ["--delimiter", ""], ["--delimiter", "\\t"], ["--delimiter", "."]),
    fc.constantFrom(["--weights", "i8"], ["--weights", "bogus"], ["--nope"], ["-o", "@csv"], ["-o", "@model"], ["--out", "@csv"], ["--output", "@csv"], ["--output", "@model"], ["-i", "@model"], ["--data", "@model"]),
    fc.constantFrom(["--inputs", "humidity,temperature,pressure"], ["--inputs", "temperature,humidity"], ["--inputs", "temperature,humidity,date"], ["--inputs", "x,humidity,pressure"], ["--target", "humidity"], ["--target", "note"], ["--target", "nope"]),
    fc.constantFrom(["--steps", "0"], ["--steps", "100"], ["--steps", "x"], ["--sensors", "temperature,humidity"], ["--sensors", "pressure,humidity,temperature"], ["--period", "-1"], ["--anomaly", "NaN"])
)

export const COMMANDS = ["simulate", "evaluate", "report", "deploy", "read"] as const
export type Command = (typeof COMMANDS)[number]

export const surfaceCase = fc.record({
    command: fc.constantFrom(...COMMANDS),
    rows: fc.array(row, { minLength: 6, maxLength: 12 }),
    // the model's columns and some extras, in any order
    columns: fc.subarray([3, 4, 5]).chain(extra => fc.shuffledSubarray([0, 1, 2, ...extra], { minLength: 3 + extra.length, maxLength: 3 + extra.length })),
    dialect: fc.constantFrom(",", ";", ";.", "\t"),
    bom: fc.boolean(),
    crlf: fc.boolean(),
    quoteAll: fc.boolean(),
    notes: fc.array(fc.constantFrom(...NOTES), { minLength: 12, maxLength: 12 }),
    junk: fc.option(fc.record({ row: fc.nat(), col: fc.nat({ max: 5 }), cell: fc.constantFrom(...JUNK) }), { freq: 3 }),
    flags: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.array(extraFlag, { minLength: 1, maxLength: 2 }), weight: 1 }) as fc.Arbitrary<readonly (readonly string[])[]>,
    // train's reader: --inputs named, or every numeric column
    namedInputs: fc.boolean(),
})
export type SurfaceCase = typeof surfaceCase extends fc.Arbitrary<infer T> ? T : never

/** The table as text cells: column c of row r; the junk cell in place. */
function cells(c: SurfaceCase): string[][] {
    const table = c.rows.map((r, i) => [...r.map(String), `2024-01-${String(i + 1).padStart(2, "0")}T00:00`, c.notes[i]])
    if (c.junk) table[c.junk.row % table.length][c.junk.col] = c.junk.cell
    return table
}

/** The junk cell's row when it is in one of the model's columns. */
const junkRow = (c: SurfaceCase) => (c.junk && c.junk.col < 3 ? c.junk.row % c.rows.length : undefined)

/** `cols` of the table, in the dialect: `;` files write decimal commas (";." decimal points). */
export function renderCsv(c: Pick<SurfaceCase, "rows" | "notes" | "junk" | "dialect" | "bom" | "crlf" | "quoteAll">, cols: number[]): string {
    const d = c.dialect === ";." ? ";" : c.dialect
    const numeric = (i: number) => i <= 3
    const field = (s: string) => (c.quoteAll || s.includes(d) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
    const cell = (s: string, i: number, junk: boolean) => field(c.dialect === ";" && numeric(i) && !junk ? s.replace(".", ",") : s)
    const table = cells(c as SurfaceCase)
    const lines = [cols.map(i => field([...NAMES, ...EXTRA_NAMES][i])).join(d), ...table.map((r, ri) => cols.map(i => cell(r[i], i, c.junk !== null && c.junk.row % table.length === ri && c.junk.col === i)).join(d))]
    return (c.bom ? "\uFEFF" : "") + lines.join(c.crlf ? "\r\n" : "\n") + "\n"
}

const PLAIN = { dialect: "," as const, bom: false, crlf: false, quoteAll: false }

export interface SurfaceDir {
    dir: string
    model: string
    csv: string
    plain: string
    /** Rows deploy sent to the simulated sensors, set by the test's stand-in for the VM. */
    deployed: { rows?: number[][] }
    /** The message the stand-in refuses with once it has the rows: the VM never starts. */
    stopped: string
}

interface Run {
    code: number
    stdout: string[]
    stderr: string[]
    deployed?: number[][]
    file?: string
}

/** (a) and (d): exit 0, or one dsrnn: line (after any data: notes), or commander's usage error; never a stack. */
function checkRun(argv: string[], r: Run, out: string | undefined): void {
    const all = [...r.stdout, ...r.stderr]
    if (all.some(l => /^\s+at .*[:(]/.test(l))) throw new PropertyBroken(`${argv.join(" ")}: a stack trace: ${JSON.stringify(all.slice(0, 8))}`)
    if (r.code === 0) return
    const lines = r.stderr.filter(l => !l.startsWith("data: "))
    if (lines[0]?.startsWith("error: ")) return
    if (lines.length !== 1 || !lines[0].startsWith("dsrnn: ") || lines[0].length > MESSAGE_LIMIT + 7)
        throw new PropertyBroken(`${argv.join(" ")}: exit ${r.code} with ${JSON.stringify(r.stderr.slice(0, 6))}`)
    if (out && existsSync(out)) throw new PropertyBroken(`${argv.join(" ")}: exit ${r.code} left ${out} behind`)
}

async function run(s: SurfaceDir, argv: string[], out?: string): Promise<Run> {
    if (out) rmSync(out, { force: true })
    s.deployed.rows = undefined
    const r: Run = await runMain(s.dir, argv)
    r.deployed = s.deployed.rows
    // the stand-in's refusal: deploy got as far as the VM with these rows
    if (r.deployed && r.code !== 0 && r.stderr.at(-1) === `dsrnn: ${s.stopped}`) r.code = 0
    checkRun(argv, r, out)
    if (r.code === 0 && out && existsSync(out)) r.file = readFileSync(out, "utf8")
    return r
}

function argvOf(cmd: Exclude<Command, "read">, s: SurfaceDir, csv: string, steps: number): { argv: string[]; out?: string } {
    switch (cmd) {
        case "simulate":
            return { argv: ["simulate", "--reference", s.model, "-i", csv, "-o", join(s.dir, "out.csv")], out: join(s.dir, "out.csv") }
        case "evaluate":
            return { argv: ["evaluate", s.model, "--data", csv, "--no-device"] }
        case "report":
            return { argv: ["report", s.model, "--data", csv, "--no-device", "-o", join(s.dir, "out.html")], out: join(s.dir, "out.html") }
        case "deploy":
            return { argv: ["deploy", s.model, "--simulator", "-i", csv, "-n", String(steps)] }
    }
}

/** What two runs may differ in: the CSV's path, the notes on dialect and skipped columns. */
function comparable(r: Run, csv: string): string {
    const keep = (l: string) => !l.startsWith("data: ") || l.startsWith("data: dropped")
    // how many rows were dropped must agree; a quoted " " is called non-numeric where a bare one is empty (trimmed)
    const lines = (ls: string[]) => ls.filter(keep).map(l => (l.startsWith("data: dropped") ? l.split(" with ")[0] : l))
    const text = [r.code, ...lines(r.stdout), "--", ...lines(r.stderr), "--", r.file ?? ""].join("\n")
    // the charts number their clip paths with a counter that runs on from page to page
    return text.replaceAll(csv, "<csv>").replace(/clip\d+/g, "clip")
}

const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol

export async function runSurfaceCase(s: SurfaceDir, c: SurfaceCase): Promise<"accepted" | "refused"> {
    writeFileSync(s.csv, renderCsv(c, c.columns))
    // the date column stays in the plain file: its times label the report's axes
    writeFileSync(s.plain, renderCsv({ ...c, ...PLAIN }, c.columns.includes(4) ? [0, 1, 2, 4] : [0, 1, 2]))
    const inputs = [s.model, s.csv, s.plain].map(f => [f, readFileSync(f)] as const)
    const unchanged = (what: string) => {
        for (const [f, bytes] of inputs) if (!readFileSync(f).equals(bytes)) throw new PropertyBroken(`${what} changed ${f}`)
    }
    const right = c.dialect === "\t" ? "tab" : c.dialect[0]
    const flags = c.flags.flatMap(f => f.map(t => ({ "@right": right, "@csv": s.csv, "@model": s.model })[t] ?? t))
    const plainFlags = c.flags.every(f => f[0] === "--delimiter" && f[1] === "@right")
    const junk = junkRow(c)

    if (c.command === "read") return readCase(s, c, c.flags.find(f => f[0] === "--delimiter")?.[1]?.replace("@right", right), plainFlags, unchanged)

    const steps = Math.min(3, c.rows.length)
    const { argv, out } = argvOf(c.command, s, s.csv, steps)
    const r = await run(s, [...argv, ...flags], out)
    unchanged(argv.concat(flags).join(" "))
    if (!plainFlags) return r.code === 0 ? "accepted" : "refused"

    const feedsEveryRow = c.command === "simulate" || c.command === "deploy"
    if (feedsEveryRow && junk !== undefined) {
        // every row gets an output: a junk cell in a model column is an error that names its line
        if (r.code === 0 || !r.stderr.at(-1)!.includes(`line ${junk + 2}`)) throw new PropertyBroken(`${c.command} took junk ${JSON.stringify(c.junk)}: ${JSON.stringify(r.stderr.slice(-1))}`)
        return "refused"
    }
    if (feedsEveryRow && r.code !== 0) throw new PropertyBroken(`${c.command} refused a clean CSV: ${JSON.stringify(r.stderr.slice(-1))}`)
    if (c.command === "simulate") {
        const lines = r.file!.trim().split("\n")
        if (lines[0] !== "y0" || lines.length !== c.rows.length + 1) throw new PropertyBroken(`simulate wrote ${JSON.stringify(lines.slice(0, 3))}`)
        c.rows.forEach((row, i) => {
            if (!near(Number(lines[i + 1]), byHand(row), 1e-12)) throw new PropertyBroken(`simulate row ${i}: ${lines[i + 1]}, by hand ${byHand(row)} from ${row.slice(0, 3)}`)
        })
        return "accepted"
    }
    if (c.command === "deploy") {
        // the sensors carry 10 fraction bits, stored as trunc(v * 1024 + 0.5) (measured in the VM: a negative value can move up by almost a step)
        const wire = (v: number) => Math.trunc(v * 1024 + 0.5) / 1024
        c.rows.slice(0, steps).forEach((row, i) => {
            if (!row.slice(0, 3).every((v, j) => r.deployed![i][j] === wire(v))) throw new PropertyBroken(`deploy sent ${r.deployed![i]} for row ${i}, the table has ${row.slice(0, 3)}`)
        })
    }
    // the oracle: the same command on the plain comma file with the model's columns only, in its order
    const o = argvOf(c.command, s, s.plain, steps)
    const oracle = await run(s, o.argv, o.out)
    unchanged(o.argv.join(" "))
    const [got, want] = [comparable(r, s.csv), comparable(oracle, s.plain)]
    if (got !== want || JSON.stringify(r.deployed) !== JSON.stringify(oracle.deployed))
        throw new PropertyBroken(`${c.command} on ${JSON.stringify(readFileSync(s.csv, "utf8").slice(0, 300))} gave\n${got.slice(0, 800)}\nthe plain file gave\n${want.slice(0, 800)}`)
    return r.code === 0 ? "accepted" : "refused"
}

/** train's reading step (readColumns, as train calls it) against the table's own values. */
function readCase(s: SurfaceDir, c: SurfaceCase, delimiter: string | undefined, plainFlags: boolean, unchanged: (what: string) => void): "accepted" | "refused" {
    const wanted = c.namedInputs ? [0, 1, 2] : c.columns.filter(i => i <= 3)
    let data
    try {
        data = readColumns(s.csv, { target: "temperature", inputs: c.namedInputs ? [...NAMES] : undefined, delimiter: delimiter === undefined ? undefined : parseDelimiter(delimiter) })
    } catch (e) {
        checkRefusal(e)
        if (plainFlags) throw new PropertyBroken(`train's reader refused a readable CSV: ${(e as Error).message}`)
        return "refused"
    } finally {
        unchanged("train's reader")
    }
    if (!plainFlags) return "accepted"
    // the junk cell drops its row when its column is used (a number column without --inputs)
    const dropped = c.junk && wanted.includes(c.junk.col) ? c.junk.row % c.rows.length : undefined
    const kept = c.rows.filter((_, i) => i !== dropped)
    const names = wanted.map(i => [...NAMES, ...EXTRA_NAMES][i])
    const want = { names, inputs: kept.map(r => wanted.map(i => r[i])), target: kept.map(r => r[0]) }
    const got = { names: data.inputNames, inputs: data.inputs, target: data.target }
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new PropertyBroken(`train's reader on ${JSON.stringify(readFileSync(s.csv, "utf8").slice(0, 300))} read\n${JSON.stringify(got).slice(0, 600)}\nthe table is\n${JSON.stringify(want).slice(0, 600)}`)
    return "accepted"
}
