/**
 * The simulated-device round trip: `dsrnn deploy --simulator` starts devs
 * devtools and a VM, deploys the app over the devtools protocol, replays CSV
 * rows through simulated sensor servers and prints the predictions. They must
 * equal `simulate()` on the same rows as the sensors deliver them (Jacdac
 * fixed point), with the same i8 encoding. Two deploys run side by side:
 * each moves devs' fixed ports (8081-8083) to free ones, so neither is refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { REPO_ROOT, runCli } from "../helpers/cli.ts"
import { onTheWire } from "../../src/board/wire.ts"
import { sensorKind } from "../../src/board/sensors.ts"
import { readModelInputs } from "../../src/io/columns.ts"
import { parsePrediction } from "../../src/board/app-lines.ts"
import { predictionLine } from "../../../src/console-lines.ts"
import { importCanonical } from "../../src/import/import-model.ts"
import { simulate } from "../../src/run/simulate.ts"

const DATA = join(REPO_ROOT, "tools", "data")
const STEPS = 4


describe("dsrnn deploy --simulator", () => {
    it("two deploys side by side, one from the CSV with its columns reordered and a date column, each print one prediction per step, equal to simulate() on the same readings", async () => {
        const model = importCanonical(join(DATA, "weather-lstm.json"))
        const features = ["temperature", "humidity", "pressure"] as const
        const rows = readModelInputs(join(DATA, "weather.csv"), model).rows.slice(0, STEPS).map(r => r.map((v, j) => onTheWire(v, sensorKind(features[j]).packed)))
        // weather.csv is temperature,humidity,pressure: the same cells as pressure,date,temperature,humidity
        const reordered = join(mkdtempSync(join(tmpdir(), "dsrnn-deploy-")), "reordered.csv")
        const lines = readFileSync(join(DATA, "weather.csv"), "utf8").trim().split("\n").slice(1, STEPS + 2).map(l => l.split(","))
        writeFileSync(reordered, ["pressure,date,temperature,humidity", ...lines.map(([t, h, p], i) => `${p},2024-01-01T0${i}:00,${t},${h}`)].join("\n") + "\n")
        const deploy = (csv: string) => runCli(["deploy", join(DATA, "weather-lstm.json"), "--simulator", "--input", csv, "--steps", String(STEPS), "--period", "800", "--predicts", "temperature", "--anomaly", "1.5"])
        const [a, b, expected] = await Promise.all([deploy(reordered), deploy(join(DATA, "weather.csv")), simulate(model, rows, { encoding: "i8" })])
        expect(a.stderr).toContain("data: skipping columns not in the model: date")
        expect(b.code, b.stderr).toBe(0)
        expect(b.stdout).toBe(a.stdout)
        const r = a
        expect(r.code, r.stderr).toBe(0)
        const printed = r.stdout.trim().split("\n")
        expect(printed).toHaveLength(STEPS)
        printed.forEach((line, t) => {
            const m = /^t=(\d+) temperature=([-\d.]+) humidity=([-\d.]+) pressure=([-\d.]+) -> y=\[([^\]]+)\]( ANOMALY)?$/.exec(line)
            expect(m, line).not.toBeNull()
            expect(+m![1]).toBe(t)
            expect([+m![2], +m![3], +m![4]]).toEqual(rows[t])
            expect(Math.abs(Number(m![5]) - expected[t][0])).toBeLessThan(1e-9)
        })
        expect(r.stderr).toContain("dsrnn: start inputs=3 outputs=1 period=800ms step")
        expect(r.stderr).toContain("dsrnn: done")
    })

    it("parses the app's prediction line", () => {
        const p = parsePrediction("dsrnn: t=3 y=[12.52093] anomaly=1 f64=4b42b184b70a2940")
        expect(p).toEqual({ t: 3, y: [12.520931383741432], anomaly: true })
    })

    it("reads back what the app's printer writes, and nothing else", () => {
        const f64 = Buffer.from(new Float64Array([12.520931383741432, -0.5]).buffer).toString("hex")
        expect(parsePrediction(`> ${predictionLine(41, [12.52093, -0.5], 0, f64)}`)).toEqual({ t: 41, y: [12.520931383741432, -0.5], anomaly: false })
        expect(parsePrediction(predictionLine(41, [12.52093, -0.5], 0, f64.slice(0, 20)))).toBeNull()
        expect(parsePrediction("dsrnn: t=3 y=[1] anomaly=2 f64=")).toBeNull()
        expect(parsePrediction("dsrnn: fault temperature not bound")).toBeNull()
    })
})
