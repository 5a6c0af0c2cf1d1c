/**
 * State persistence (src/state-store.ts) in the VM. A reset can come at any
 * point of a save: the stand-in storage below cuts the power before the k-th
 * write of a save, for every k, either cleanly or in the middle of that write
 * (the key then holds the first half of the new value over the rest of the
 * old one). After each cut the "restarted" model restores, and the test
 * compares its state with the state saved before (old) and the one being
 * saved (new): it must be exactly one of them, never a mix, and the app's
 * line must name the generation it restored.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { runWithWeatherModel } from "../helpers/app-vm.ts"

/** A DeviceScript program next to this file (programs/), run next to the model. */
const program = (name: string) => readFileSync(new URL(`./programs/${name}`, import.meta.url), "utf8")

describe("state persistence survives a reset at every point of a save", () => {
    it("restores the old state or the new one, never a mix, and says which generation", async () => {
        const lines = await runWithWeatherModel(program("state-store-cuts.ts"), l => l === "END", 60_000)
        const writes = +lines.find(l => l.startsWith("WRITES "))!.split(" ")[1]
        expect(writes).toBeGreaterThanOrEqual(3)
        const cases = lines.flatMap((l, i) => (l.startsWith("CASE ") ? [{ fields: l.split(" "), said: lines[i - 1] }] : []))
        expect(cases).toHaveLength(3 * (writes + 1) * 2)
        for (const { fields, said } of cases) {
            const [prior, k, tear] = fields.slice(1, 4).map(Number)
            const [cut, which] = fields.slice(4)
            const label = `prior saves ${prior}, power cut before write ${k} of ${writes}${tear ? " (torn)" : ""}: ${which}; ${said}`
            // a cut save leaves the previous state (or none); a whole one the new state
            expect(cut, label).toBe(k < writes ? "cut" : "whole")
            expect(which, label).toBe(cut === "whole" ? "new" : prior === 0 ? "none" : "old")
            if (which !== "none") expect(said, label).toMatch(new RegExp(`^dsrnn: state restored generation ${which === "new" ? prior : prior - 1} \\(slot [ab]\\)`))
            // with both slots in use, a cut after the first chunk leaves slot a with new data under its old header
            if (prior === 2 && k >= 1 && k < writes) expect(said, label).toContain("(slot b); slot a not restored (checksum mismatch)")
        }
    })

    it("saves to settings and restores; refuses a state of another model or a corrupted one", async () => {
        const lines = await runWithWeatherModel(program("state-store-settings.ts"), l => l === "end")
        const values = (tag: string) => lines.filter(l => l.startsWith(tag + " ")).map(l => l.split(" ")[2])
        expect(values("ref")).toHaveLength(2)
        expect(lines).toContain("restored true")
        expect(values("again")).toEqual(values("ref"))
        expect(values("zero")).toHaveLength(1)
        expect(values("zero")[0]).not.toBe(values("ref")[0])
        expect(lines).toContain("foreign false")
        expect(lines.some(l => l.startsWith("dsrnn: state rejected (saved by another model"))).toBe(true)
        expect(values("after-foreign")).toEqual(values("zero"))
        expect(lines).toContain("corrupt false")
        expect(lines).toContain("dsrnn: state rejected (checksum mismatch)")
        expect(values("after-corrupt")).toEqual(values("zero"))
    })
})
