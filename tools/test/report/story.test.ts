/**
 * What the report's charts say, read back from the rendered SVG: time axes
 * from the CSV's timestamps, one line per method with the baselines dashed
 * under the models, a close-up of whole periods, the kept epoch marked, and
 * no text under 12 px (also as Chromium draws the page). The evaluations are
 * built here by hand (no training, no VM), so every expected row count, tick
 * label and pixel is worked out in the comments.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium } from "playwright-core"
import { describe, expect, it } from "vitest"
import { importCanonical } from "../../src/import/import-model.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { renderReport } from "../../src/report/report.ts"
import type { Evaluation, Method } from "../../src/eval/evaluation.ts"

const CHROMIUM = "/usr/bin/chromium"
const EPOCHS = 10
const BEST = 4

/** The demo's model, with a hand-made training record: 10 epochs, epoch 4 kept. */
function model(): CanonicalModel {
    const m = importCanonical(join(import.meta.dirname, "../../data/seattle-lstm.json"))
    const epochs = Array.from({ length: EPOCHS }, (_, i) => ({ loss: 1 / (i + 1), windowLoss: 1 / (i + 1) + 0.1, streamRmse: Math.abs(i + 1 - BEST) + 1 }))
    return { ...m, anomaly: undefined, training: { ...m.training!, epochs, bestEpoch: BEST } }
}

const BASELINES: [Method["key"], string][] = [
    ["persistence", "persistence (next = current)"],
    ["seasonal", "seasonal naive (one season ago)"],
    // the statistical baseline another change adds: the report must draw any method it is given
    ["ets" as Method["key"], "ETS (statistical)"],
]

/** `rows` scored rows of a sine with the given period, start 0 and horizon 1: prediction i is for data row i + 1. */
function evaluation(rows: number, period: number | null): Evaluation {
    const actual = Array.from({ length: rows }, (_, i) => Math.sin((2 * Math.PI * i) / (period ?? 17)))
    const m = (key: Method["key"], label: string, shift: number): Method => ({ key, label, predictions: actual.map(a => a + shift), rmse: Math.abs(shift), mae: Math.abs(shift), mase: 1 })
    return {
        horizon: 1,
        start: 0,
        actual,
        period,
        periodSource: "given",
        residual: false,
        methods: [m("float", "float model (float64)", 0.05), m("device", "device (i8, DeviceScript VM)", 0.06), ...BASELINES.map(([k, l], i) => m(k, l, 0.2 + 0.1 * i))],
    }
}

/** Each chart's SVG, by its data-chart name. */
function charts(html: string): Record<string, string> {
    return Object.fromEntries([...html.matchAll(/<div class="chart" data-chart="([^"]+)">([\s\S]*?)<\/div>/g)].map(m => [m[1], m[2]]))
}

/** The data lines of a chart, in drawing order: series name, point count, stroke and dash. */
function lines(svg: string) {
    return [...svg.matchAll(/<g class="mark-line role-mark[^>]*><path aria-label="([^"]*)"[^>]* d="([^"]*)" stroke="([^"]*)"[^>]*?(?: stroke-dasharray="([^"]*)")?\/>/g)].map(m => ({
        series: /series: (.*)$/.exec(m[1])![1],
        /** The first point's value, from its aria-label "x: ...; y title: value; series: ..." (vega writes − for minus). */
        first: Number(/: ([-−\d.e]+); series:/.exec(m[1])![1].replace("−", "-")),
        points: m[2].split(/[ML]/).filter(Boolean).length,
        stroke: m[3],
        dash: m[4] ?? "1,0",
    }))
}

/** The visible labels (vega hides overlapping ones with opacity 0) of the x axis: the first axis with a title vega draws for x. */
function xLabels(svg: string): { title: string; labels: string[]; at: Record<string, number> } {
    // vega draws each axis as a group: labels, then the title; the x axis has aria-label "X-axis ..."
    const axis = /<g [^>]*aria-label="X-axis[^"]*"[\s\S]*?role-axis-title"[^>]*>[\s\S]*?<\/g>/.exec(svg)![0]
    const texts = (cls: string) => [...(new RegExp(`role-axis-${cls}"[^>]*>([\\s\\S]*?)</g>`).exec(axis)?.[1] ?? "").matchAll(/<text[^>]*opacity="1"[^>]*>([^<]*)<\/text>/g)].map(m => m[1])
    const labels = /role-axis-label"[^>]*>([\s\S]*?)<\/g>/.exec(axis)?.[1] ?? ""
    const at = Object.fromEntries([...labels.matchAll(/<text[^>]*transform="translate\(([\d.-]+),[^"]*"[^>]*opacity="1"[^>]*>([^<]*)<\/text>/g)].map(m => [m[2], Number(m[1])]))
    return { title: texts("title")[0], labels: texts("label"), at }
}

const render = (rows: number, period: number | null, times?: number[]) => renderReport({ model: model(), evaluation: evaluation(rows, period), encoding: "i8", source: "hand.csv", times })

describe("report charts", () => {
    it("time axes: the CSV's timestamps become calendar ticks in UTC; without them, row numbers", async () => {
        // 240 scored rows, period 24: data rows 0..240, hourly from 2024-03-01 00:00 UTC
        const t0 = Date.UTC(2024, 2, 1)
        const times = Array.from({ length: 241 }, (_, r) => t0 + r * 3_600_000)
        const tz = process.env.TZ
        process.env.TZ = "Asia/Tokyo" // UTC+9: local-time labels would read 09:00 at UTC midnight
        let html: string
        try {
            html = await render(240, 24, times)
        } finally {
            process.env.TZ = tz
        }
        const c = charts(html)
        for (const name of ["forecast", "close-up", "windows", "error"]) {
            const { title, labels } = xLabels(c[name])
            expect(title, name).toBe("time (UTC)")
            expect(labels.length, name).toBeGreaterThan(2)
            for (const l of labels) expect(l, name).toMatch(/^(Mar \d\d|\d\d:00|Mar 2024)$/)
        }
        // the close-up is the last 7 periods: predictions 72..239, for data rows 73..240, 2024-03-04 01:00 to 03-11 00:00.
        // That spans 167 h: daily ticks make 6.96 <= 9, so one tick per midnight, Mar 05 to Mar 11, each labelled by its date
        expect(xLabels(c["close-up"]).labels).toEqual(["Mar 05", "Mar 06", "Mar 07", "Mar 08", "Mar 09", "Mar 10", "Mar 11"])
        // and each sits at its UTC midnight, 23 h + 24 h k into the 167 h on 840 px (in Tokyo's local time it would be 9 h earlier)
        const at = xLabels(c["close-up"]).at
        for (let k = 0; k < 7; k++) expect(at[`Mar ${String(5 + k).padStart(2, "0")}`]).toBeCloseTo((840 * (23 + 24 * k)) / 167, 1)
        // all rows: data rows 1..240, 03-01 01:00 to 03-11 00:00, 239 h: daily ticks would be 9.96 > 9, so every 2 days,
        // which the calendar counts from the 1st of the month: the odd dates after Mar 01 01:00
        expect(xLabels(c.forecast).labels).toEqual(["Mar 03", "Mar 05", "Mar 07", "Mar 09", "Mar 11"])
        // 30 half-hourly rows, less than a period of 48: the close-up is all 30, data rows 1..30, 00:30 to 15:00 on 2020-01-01.
        // 14.5 h: hourly ticks would be 14.5 > 9, so every 3 hours, with no midnight in the span
        const short = Array.from({ length: 31 }, (_, r) => Date.UTC(2020, 0, 1) + r * 1_800_000)
        const halfHourly = charts(await render(30, 48, short))
        expect(xLabels(halfHourly["close-up"]).labels).toEqual(["03:00", "06:00", "09:00", "12:00", "15:00"])
        // and one window of all 30 rows, drawn as a dot per method since a lone point makes no line
        expect(halfHourly.windows).toContain("RMSE over each 30 rows, every method")
        expect(halfHourly.windows.match(/<g class="mark-symbol role-mark[^>]*><path /g)?.length).toBe(5)
        // the epoch axis stays an epoch axis
        expect(xLabels(c.training).title).toBe("epoch")

        const rowsOnly = charts(await render(240, 24))
        const { title, labels } = xLabels(rowsOnly["close-up"])
        expect(title).toBe("row of the file")
        // rows 73..240 (1-based data rows)
        for (const l of labels) expect(Number(l.replace(",", ""))).toBeGreaterThanOrEqual(73)
    })

    it("times that do not cover every scored row are refused, naming the count", async () => {
        await expect(render(240, 24, [0, 1, 2])).rejects.toThrow("each of the 241 data rows, got 3")
        await expect(render(240, 24, Array.from({ length: 241 }, (_, i) => (i === 100 ? NaN : i)))).rejects.toThrow("finite epoch ms")
    })

    it("every method gets a line: baselines dashed, lighter and under the models; RMSE per period for each", async () => {
        const c = charts(await render(240, 24))
        const close = lines(c["close-up"])
        const models = ["actual", "float model (float64)", "device (i8, DeviceScript VM)"]
        expect(close.map(l => l.series)).toEqual([...BASELINES.map(b => b[1]), ...models])
        const baselines = close.slice(0, BASELINES.length)
        for (const b of baselines) expect(b.dash, b.series).not.toBe("1,0")
        for (const m of close.slice(BASELINES.length)) expect(m.dash, m.series).toBe("1,0")
        expect(new Set(close.map(l => l.stroke)).size).toBe(close.length)
        // the legend says which dash is which: one entry per line
        const legend = [...c["close-up"].matchAll(/role-legend-label"[^>]*>([\s\S]*?)<\/g>/g)].flatMap(m => [...m[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(t => t[1]))
        expect(legend.sort()).toEqual(close.map(l => l.series).sort())
        // 240 rows in windows of one period: 10 points per method (the actual values have no error)
        const windows = lines(c.windows)
        expect(windows.map(l => [l.series, l.points])).toEqual([...BASELINES.map(b => [b[1], 10]), ["float model (float64)", 10], ["device (i8, DeviceScript VM)", 10]])
        // each method is off by a constant, so its RMSE in every window is that constant
        ;[0.2, 0.3, 0.4, 0.05, 0.06].forEach((rmse, i) => expect(windows[i].first, windows[i].series).toBeCloseTo(rmse, 9))
        // the all-rows chart is too dense to tell baselines apart: actual and models only
        expect(lines(c.forecast).map(l => l.series)).toEqual(models)
    })

    it("the close-up shows whole periods: 7 short ones, 3 long ones, all rows when fewer, 240 rows without a period", async () => {
        // [scored rows, period, close-up rows, title]: 240/10 = 24 periods fit, capped at 7 -> 70; 240/100 = 2, raised to 3 -> 300;
        // 100 rows of period 24 hold 4 whole periods (96 rows); 20 rows of period 24 hold none: all 20; no period: the last 240 of 500
        const cases: [number, number | null, number, string][] = [
            [400, 10, 70, "the last 70 rows (7 periods of 10)"],
            [400, 100, 300, "the last 300 rows (3 periods of 100)"],
            [100, 24, 96, "the last 96 rows (4 periods of 24)"],
            [500, null, 240, "the last 240 rows"],
        ]
        for (const [rows, period, expected, title] of cases) {
            const svg = charts(await render(rows, period))["close-up"]
            const actual = lines(svg).find(l => l.series === "actual")!
            expect(actual.points, `${rows} rows, period ${period}`).toBe(expected)
            expect(svg).toContain(`Actual vs forecast, ${title}</text>`)
        }
    })

    it("the page opens with whether the device beats every baseline, naming each it does not", async () => {
        // device off by 0.06, baselines by 0.2, 0.3, 0.4: it beats all three
        expect(await render(240, 24)).toContain('<p class="verdict">The device beats every baseline on RMSE: persistence (next = current), seasonal naive (one season ago), ETS (statistical).</p>')
        // a statistical baseline off by only 0.01 wins; ties count as losses (not beaten)
        const e = evaluation(240, 24)
        e.methods.find(m => m.key === ("ets" as Method["key"]))!.rmse = 0.01
        e.methods.find(m => m.key === "persistence")!.rmse = 0.06
        const html = await renderReport({ model: model(), evaluation: e, encoding: "i8", source: "hand.csv" })
        expect(html).toContain('<p class="verdict lost">The device does NOT beat 2 of the 3 baselines on RMSE: persistence (next = current), ETS (statistical).</p>')
    })

    it("the kept epoch is marked on both training charts, at its x", async () => {
        const c = charts(await render(240, 24))
        for (const name of ["training", "streaming"]) {
            const rule = /<g class="mark-rule role-mark[^>]*><line [^>]*transform="translate\(([\d.]+),[\d.-]+\)"/.exec(c[name])
            expect(rule, name).not.toBeNull()
            // x runs over epochs 1..10 on 840 px (nice: false): epoch 4 is at 3/9 of the width
            expect(Number(rule![1])).toBeCloseTo((840 * (BEST - 1)) / (EPOCHS - 1), 0)
            expect(c[name]).toContain(`epoch ${BEST}: the weights kept`)
        }
    })

    it("no text under 12 px, in the SVG and as Chromium lays the page out at 1000 px", async () => {
        const html = await render(240, 24, Array.from({ length: 241 }, (_, r) => Date.UTC(2024, 2, 1) + r * 3_600_000))
        const sizes = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].flatMap(s => [...s[0].matchAll(/font-size="([\d.]+)px"/g)].map(m => Number(m[1])))
        expect(sizes.length).toBeGreaterThan(100)
        expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12)

        const file = join(mkdtempSync(join(tmpdir(), "dsrnn-story-")), "report.html")
        writeFileSync(file, html)
        const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] })
        try {
            const page = await browser.newPage({ viewport: { width: 1000, height: 800 } })
            await page.goto(`file://${file}`)
            // a chart wider than the page is scaled down (max-width: 100%), and its text with it
            const smallest = await page.$$eval(".chart svg", svgs =>
                svgs.map(svg => {
                    const scale = svg.getBoundingClientRect().width / (svg as SVGSVGElement).width.baseVal.value
                    const px = [...svg.querySelectorAll("text")].filter(t => t.textContent!.trim()).map(t => parseFloat(getComputedStyle(t).fontSize) * scale)
                    return { chart: svg.closest(".chart")!.getAttribute("data-chart"), px: Math.min(...px) }
                })
            )
            expect(smallest.length).toBe(9)
            for (const s of smallest) expect(s.px, s.chart!).toBeGreaterThanOrEqual(12)
        } finally {
            await browser.close()
        }
    }, 60_000)
})
