/**
 * `dsrnn record` end to end: the real CLI deploys the recorder to a simulated
 * device whose simulated sensors replay known values, and the CSV must hold
 * exactly those values as the sensors send them over Jacdac.
 *
 * The oracle is worked out by hand, not by dsrnn code: the simulated servers
 * encode a reading v as trunc(v * 2^k + 0.5) / 2^k, with k = 10 for
 * temperature (i22.10) and humidity (u22.10). For v >= 0 that is rounding to
 * the nearest grid point; for v < 0 it lands up to 1.5 grid steps above v
 * (measured: -10.25 arrives as -10.2490234375, -3.1 as -3.0986328125).
 * Acceleration, i12.20 in the Jacdac spec, arrives with k = 4, on a 1/16 g
 * grid (measured; DEVS_NUM_FMT in the runtime keeps the shift in 4 bits, and
 * 20 & 15 = 4). The numerators below are computed by hand from that rule.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parseRecordLine, recorderFiles } from "../../src/board/record-program.ts"
import { resolveKinds } from "../../src/cli/record-command.ts"
import { readColumns } from "../../src/io/columns.ts"
import { REPO_ROOT, runCli } from "../helpers/cli.ts"

const dir = mkdtempSync(join(tmpdir(), "dsrnn-record-"))
const K10 = 1024
const K4 = 16

/** The replayed CSV: temperature, humidity, accel_x, accel_z. */
const INPUT = [
    [21.3, 47.55, 0.1, -0.98],
    [21.4, 47.6, -0.25, 1.5],
    [-3.1, 99.9, 0, 0.000001],
    [0.001, 0.3, 2, -1],
    [25, 50, -0.5, 0.5],
]
/** The same rows as the sensors deliver them. */
const EXPECTED = [
    // 21.3*1024 = 21811.2, +0.5 -> 21811; 47.55*1024 = 48691.2 -> 48691; 0.1*16 = 1.6 -> 2; -0.98*16 = -15.68, +0.5 -> -15
    [21811 / K10, 48691 / K10, 2 / K4, -15 / K4],
    // 21913.6 -> 21914; 48742.4 -> 48742; -4 + 0.5 -> -3; 24
    [21914 / K10, 48742 / K10, -3 / K4, 24 / K4],
    // -3174.4 + 0.5 = -3173.9 -> -3173; 102297.6 -> 102298; 0; 0.000016 -> 0
    [-3173 / K10, 102298 / K10, 0, 0],
    // 1.024 -> 1; 307.2 -> 307; 32; -16 + 0.5 -> -15
    [1 / K10, 307 / K10, 32 / K4, -15 / K4],
    // 25600; 51200; -8 + 0.5 -> -7; 8
    [25, 50, -7 / K4, 8 / K4],
]
const SENSORS = "temperature,humidity,accel_x,accel_z"

function writeInput(name: string, header: string, rows: number[][]): string {
    const path = join(dir, name)
    writeFileSync(path, [header, ...rows.map(r => r.join(","))].join("\n") + "\n")
    return path
}

/** Data rows of a recorded CSV, split into timestamp and values. */
function recorded(path: string): { header: string[]; times: string[]; values: number[][] } {
    const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n")
    return { header: header.split(","), times: lines.map(l => l.split(",")[0]), values: lines.map(l => l.split(",").slice(1).map(Number)) }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

describe("dsrnn record --simulator", () => {
    const input = writeInput("known.csv", SENSORS, INPUT)

    it("writes one row per period with the values the simulated sensors send, which train reads unchanged", async () => {
        const out = join(dir, "readings.csv")
        writeFileSync(out, "an older recording\n")
        const r = await runCli(["record", "--sensors", SENSORS, "--period", "600ms", "--rows", "5", "--out", out, "--simulator", "--input", input, "--force"])
        expect(r.code, r.stderr).toBe(0)
        expect(r.stdout.trim()).toBe(`wrote 5 rows of temperature, humidity, accel_x, accel_z in ${out}`)
        const { header, times, values } = recorded(out)
        expect(header).toEqual(["timestamp", ...SENSORS.split(",")])
        expect(values).toEqual(EXPECTED)
        for (const t of times) expect(t).toMatch(ISO)
        const ms = times.map(t => Date.parse(t))
        for (let i = 1; i < ms.length; i++) expect(ms[i]).toBeGreaterThan(ms[i - 1])
        // what `dsrnn train readings.csv --target temperature` reads
        const cols = readColumns(out, { target: "temperature" })
        expect(cols.inputNames).toEqual(SENSORS.split(","))
        expect(cols.inputs).toEqual(EXPECTED)
        expect(cols.notes).toEqual(['column "timestamp" holds timestamps, not numbers: skipped'])
    })

    it("stops cleanly on Ctrl-C with every row so far on disk, exit 130", async () => {
        const out = join(dir, "interrupted.csv")
        const child = spawn(process.execPath, [join(REPO_ROOT, "tools", "bin", "dsrnn.js"), "record", "--sensors", SENSORS, "--period", "600ms", "--rows", "1000", "--out", out, "--simulator", "--input", input], {
            cwd: REPO_ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        })
        let stderr = ""
        child.stderr.setEncoding("utf8").on("data", d => (stderr += d))
        const exit = new Promise<number | null>(resolve => child.on("close", code => resolve(code)))
        try {
            // wait for 3 rows on disk (polling the file, not the clock), then press Ctrl-C
            while (!(existsSync(out) && recorded(out).values.length >= 3) && child.exitCode === null) await new Promise(r => setTimeout(r, 100))
            child.kill("SIGINT")
            expect(await exit, stderr).toBe(130)
        } finally {
            // a failed test must not leave the recorder and its devs processes running
            if (child.exitCode === null) child.kill("SIGTERM")
        }
        const { values } = recorded(out)
        expect(values.length).toBeGreaterThanOrEqual(3)
        // the replay holds its last row after the fifth
        values.forEach((row, i) => expect(row).toEqual(EXPECTED[Math.min(i, EXPECTED.length - 1)]))
        const lines = stderr.split("\n").filter(l => l.startsWith("dsrnn: "))
        expect(lines).toEqual([`dsrnn: stopped by Ctrl-C: ${values.length} rows of temperature, humidity, accel_x, accel_z in ${out}, every one on disk`])
        expect(readColumns(out, { target: "humidity" }).inputs).toHaveLength(values.length)
    })

    it("names a sensor that is not there, exits 1 and leaves --out as it was, even with --force", async () => {
        const only = writeInput("temperature-only.csv", "temperature", [[20], [21]])
        const out = join(dir, "missing.csv")
        writeFileSync(out, "keep me\n")
        const r = await runCli(["record", "--sensors", "temperature,humidity", "--period", "1s", "--rows", "2", "--out", out, "--simulator", "--input", only, "--force"])
        expect(r.code).toBe(1)
        expect(r.stderr.trim()).toBe("dsrnn: no humidity sensor on the simulated device within 5 s (--input has no humidity column)")
        expect(readFileSync(out, "utf8")).toBe("keep me\n")
    })
})

describe("dsrnn record flags", () => {
    const input = writeInput("flags.csv", "temperature", [[20]])
    const existing = join(dir, "existing.csv")
    writeFileSync(existing, "keep me\n")
    const base = ["record", "--sensors", "temperature", "--simulator", "--input", input]
    const cases: [string, string[], string][] = [
        ["--period junk", [...base, "--period", "junk", "--rows", "3", "--out", join(dir, "a.csv")], 'dsrnn: --period must be a duration such as 500ms, 1s or 1min, got "junk"'],
        ["--period 1 (ms)", [...base, "--period", "1", "--rows", "3", "--out", join(dir, "a.csv")], "dsrnn: --period 1 is 1 ms; the shortest is 600 ms (a bare number is milliseconds: write 1s for a second)"],
        ["--rows 0", [...base, "--rows", "0", "--out", join(dir, "a.csv")], 'dsrnn: --rows must be a whole number of rows, at least 1, got "0"'],
        ["--rows 2.5", [...base, "--rows", "2.5", "--out", join(dir, "a.csv")], 'dsrnn: --rows must be a whole number of rows, at least 1, got "2.5"'],
        ["--out .txt", [...base, "--rows", "3", "--out", join(dir, "a.txt")], `dsrnn: --out ${join(dir, "a.txt")}: dsrnn record writes a CSV; give a .csv file`],
        ["existing --out", [...base, "--rows", "3", "--out", existing], `dsrnn: ${existing} exists; pass --force to replace it`],
        ["--out is --input", [...base, "--rows", "3", "--out", input, "--force"], `dsrnn: --out ${input} is the input ${input}; dsrnn record would overwrite it, give another file`],
        ["unknown sensor", ["record", "--sensors", "temperature,wibble", "--rows", "3", "--out", join(dir, "a.csv"), "--simulator", "--input", input], 'dsrnn: --sensors: "wibble" is not a sensor. Sensors: temperature, humidity, pressure, light_level, soil_moisture, accel_x, ... (all 62: dsrnn build --help)'],
        ["a sensor twice", ["record", "--sensors", "temperature,temp", "--rows", "3", "--out", join(dir, "a.csv"), "--simulator", "--input", input], "dsrnn: --sensors names temperature twice"],
        ["one axis of two", ["record", "--sensors", "accel_x,accel_y", "--rows", "3", "--out", join(dir, "a.csv"), "--simulator", "--input", writeInput("x-only.csv", "accel_x", [[0.5]])], `dsrnn: --input ${join(dir, "x-only.csv")} has no "accel_y" column but other axes of the same sensor; give all of them, or record fewer`],
        ["no target", ["record", "--sensors", "temperature", "--rows", "3", "--out", join(dir, "a.csv")], "dsrnn: say where to record: --simulator (with --input) or --port <path> of a board"],
        ["no board", ["record", "--sensors", "temperature", "--rows", "3", "--out", join(dir, "a.csv"), "--port", join(dir, "ttyACM9")], `dsrnn: no board at ${join(dir, "ttyACM9")}: the port does not exist`],
    ]
    it.each(cases)("%s: one line, exit 1, nothing written", async (_, args, message) => {
        const r = await runCli(args)
        expect(r.code, r.stderr).toBe(1)
        expect(r.stderr.trim()).toBe(message)
        expect(existsSync(join(dir, "a.csv")) || existsSync(join(dir, "a.txt"))).toBe(false)
        expect(readFileSync(existing, "utf8")).toBe("keep me\n")
    })

    it("--help shows an example and says which options are required", async () => {
        const r = await runCli(["record", "--help"])
        expect(r.code).toBe(0)
        expect(r.stdout).toContain("npx dsrnn record --sensors temperature,humidity --period 1s --rows 3600 --out readings.csv --port /dev/ttyACM0")
        expect(r.stdout).toContain("Either --simulator (with --input) or --port is required")
    })
})

describe("the recorder's lines", () => {
    it("parses a row: index, device time and one f64 per sensor, NaN for no value", () => {
        // 21.5 = 0x4035800000000000 and NaN = 0x7ff8000000000000, little-endian
        expect(parseRecordLine("VM> dsrnn-rec: 7 1234 0000000000803540000000000000f87f", 2)).toEqual({ kind: "row", index: 7, ms: 1234, values: [21.5, NaN] })
        expect(parseRecordLine("dsrnn-rec: missing humidity,pressure", 2)).toEqual({ kind: "missing", sensors: ["humidity", "pressure"] })
        expect(parseRecordLine("dsrnn: t=3 y=[1]", 2)).toBeNull()
    })

    it("refuses a cut line instead of writing a short row", () => {
        expect(() => parseRecordLine("dsrnn-rec: 7 1234 0000000000803540000000000000f8", 2)).toThrow(/damaged/)
    })

    it("reads each accelerometer axis from one role", () => {
        const src = recorderFiles({ kinds: resolveKinds("accel_x,temperature,accel_z"), periodMs: 1000, rows: 3 })["record-params.ts"]
        expect(src.match(/new ds\.\w+\(\)/g)).toEqual(["new ds.Accelerometer()", "new ds.Temperature()"])
        // columns 0 and 2 (accel_x, accel_z) are fields 0 and 2 of role 0's reading
        expect(src).toContain("export const ROLE_OF = [0, 1, 0]")
        expect(src).toContain("export const FIELD_OF = [0, -1, 2]")
    })

    it("takes any kind of the sensor table; a replayed vector sensor serves all of its fields", () => {
        const kinds = resolveKinds("magnetometer_y,light_level")
        const files = recorderFiles({ kinds, periodMs: 1000, rows: 3 }, { table: [[123, 0.25]] })
        const src = files["record-params.ts"]
        expect(src).toContain("const role0 = new ds.Magnetometer()")
        // column 0 is field 1 of role 0's reading; column 1 is role 1's reading, one number
        expect(src).toContain("export const ROLE_OF = [0, 1]")
        expect(src).toContain("export const FIELD_OF = [1, -1]")
        // x and z are not recorded: served as 0; y is replay column 0
        expect(src).toContain("export const FEED_SPECS: ds.ServiceSpec[] = [ds.Magnetometer.spec, ds.LightLevel.spec]")
        expect(src).toContain("export const FEED_SLOTS = [[-1, 0, -1], [1]]")
        expect(src).toContain("export const FEED_VECTOR = [true, false]")
        expect(files["record-feed.ts"]).toContain("startServer(new Feed(FEED_SPECS[i], FEED_SLOTS[i], FEED_VECTOR[i]))")
    })
})
