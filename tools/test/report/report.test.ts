/**
 * dsrnn report end to end: a small model trained here on a noisy daily cycle,
 * reported on held-out rows it never saw (device in the VM), and the page
 * opened in headless Chromium (Debian's chromium, driven by playwright-core):
 * no console errors, every chart has drawn marks, and the screenshot is not
 * blank (its pixels are counted in the browser).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium } from "playwright-core"
import { describe, expect, it } from "vitest"
import { canonicalJson } from "../../src/import/import-model.ts"
import { seededRandom } from "../../src/model/random.ts"
import { calibrateThreshold } from "../../src/eval/anomaly.ts"
import { train } from "../../src/train/train.ts"
import { ReferenceModel } from "../../src/model/reference.ts"
import { runCli } from "../helpers/cli.ts"

const CHROMIUM = "/usr/bin/chromium"
const dir = mkdtempSync(join(tmpdir(), "dsrnn-report-"))

function dailyCycle(n: number): number[][] {
    const noise = seededRandom(9)
    return Array.from({ length: n }, (_, t) => [15 + 5 * Math.sin((2 * Math.PI * t) / 24) + 0.3 * (noise() - 0.5), 1010 + 3 * Math.cos((2 * Math.PI * t) / 200)])
}

describe("dsrnn report", () => {
    it("writes one offline page whose charts all render in headless Chromium", async () => {
        expect(existsSync(CHROMIUM), "install Debian's chromium: apt-get install -y chromium").toBe(true)
        const rows = dailyCycle(600)
        const target = rows.map(r => r[0])
        const r = await train({ inputNames: ["temperature", "pressure"], inputs: rows.slice(0, 480), target: target.slice(0, 480), lines: [], notes: [] }, { target: "temperature", epochs: 6, window: 24, seed: 2 }, "dsrnn train (test)")
        const val = new ReferenceModel(r.model).run(r.validation.inputs).map((y, t) => y[0] - (r.validation.target[t + 1] ?? y[0]))
        const model = { ...r.model, anomaly: calibrateThreshold(val.slice(0, -1)) }
        writeFileSync(join(dir, "model.json"), canonicalJson(model))
        writeFileSync(join(dir, "test.csv"), ["time,temperature,pressure", ...rows.slice(480).map((v, i) => `2024-01-${String(1 + Math.floor(i / 24)).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:00:00,${v[0]},${v[1]}`)].join("\n") + "\n")

        const out = join(dir, "report.html")
        const cli = await runCli(["report", join(dir, "model.json"), "--data", join(dir, "test.csv"), "--out", out, "--quiet"])
        expect(cli.code, cli.stderr).toBe(0)
        expect(cli.stdout).toMatch(/device \(i8, DeviceScript VM\)\s+\d/)
        const html = readFileSync(out, "utf8")
        // self-contained: nothing to fetch, no script
        expect(html).not.toMatch(/<script|<link|src="http|href="http/)

        const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] })
        try {
            const page = await browser.newPage({ viewport: { width: 1000, height: 800 } })
            const errors: string[] = []
            page.on("console", m => m.type() === "error" && errors.push(m.text()))
            page.on("pageerror", e => errors.push(String(e)))
            page.on("request", req => !req.url().startsWith("file:") && errors.push(`fetched ${req.url()}`))
            await page.goto(`file://${out}`)
            const charts = await page.$$eval(".chart", els =>
                els.map(el => {
                    // marks are what vega draws for the data (lines, bars, points), not axes or legends
                    const marks = [...el.querySelectorAll("g.mark-line.role-mark path, g.mark-rect.role-mark path, g.mark-symbol.role-mark path")].filter(m => {
                        const box = (m as SVGGraphicsElement).getBBox()
                        // a bar or point needs an area; a line, a length across the plot
                        return m.closest("g.mark-line") ? box.width > 0 : box.width > 0 && box.height > 0
                    })
                    return { name: el.getAttribute("data-chart"), marks: marks.length, width: el.getBoundingClientRect().width }
                })
            )
            expect(charts.map(c => c.name)).toEqual(["forecast", "close-up", "windows", "error", "histogram", "events", "quantization", "budget", "training", "streaming"])
            for (const c of charts) {
                expect(c.marks, `${c.name} draws nothing`).toBeGreaterThan(0)
                expect(c.width).toBeGreaterThan(300)
            }
            // the timeline draws one bar per injected event (its first layer; the second is their ticks), red for those the printout says were missed
            const injected = [...cli.stdout.matchAll(/injected .*: (\d+) of (\d+) detected/g)].map(m => ({ found: Number(m[1]), count: Number(m[2]) }))
            // the 95 rows hold no slow drift (48 rows); the stuck run is missed, so both colours are drawn
            expect(injected, cli.stdout).toHaveLength(4)
            expect(injected.some(k => k.found < k.count) && injected.some(k => k.found > 0), cli.stdout).toBe(true)
            const bars = await page.$$eval('[data-chart="events"] g.mark-rect.role-mark.layer_0_marks path', els => els.map(el => el.getAttribute("fill")))
            expect(bars).toHaveLength(injected.reduce((n, k) => n + k.count, 0))
            expect(bars.filter(f => f === "#e45756")).toHaveLength(injected.reduce((n, k) => n + k.count - k.found, 0))
            expect(bars.filter(f => f === "#54a24b")).toHaveLength(injected.reduce((n, k) => n + k.found, 0))
            const shot = await page.screenshot({ fullPage: true })
            writeFileSync(join(dir, "report.png"), shot)
            const inked = await page.evaluate(async (png: string) => {
                const img = new Image()
                img.src = `data:image/png;base64,${png}`
                await img.decode()
                const canvas = document.createElement("canvas")
                canvas.width = img.width
                canvas.height = img.height
                const ctx = canvas.getContext("2d")!
                ctx.drawImage(img, 0, 0)
                const px = ctx.getImageData(0, 0, img.width, img.height).data
                let dark = 0
                for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < 600) dark++
                return dark / (px.length / 4)
            }, shot.toString("base64"))
            expect(inked).toBeGreaterThan(0.01)
            expect(errors).toEqual([])
        } finally {
            await browser.close()
        }
    }, 240_000)
})
