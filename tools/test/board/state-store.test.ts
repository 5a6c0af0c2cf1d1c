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
import { describe, expect, it } from "vitest"
import { runWithWeatherModel } from "../helpers/app-vm.ts"

const CUT_PROGRAM = `import * as ds from "@devicescript/core"
import { StateStorage, restoreState, saveState } from "./lib/state-store"
import { model } from "./model"

/** The first half of the new value over the rest of the old one: a write torn by a reset. */
function torn(old: any, value: any): any {
    const h = value.length >> 1
    if (typeof value === "string") return value.slice(0, h) + (typeof old === "string" ? old.slice(h) : "")
    const out: any[] = value.slice(0, h)
    if (Array.isArray(old)) for (let i = h; i < old.length; i++) out.push(old[i])
    return out
}

/** Settings in memory; the power goes off before write number writesLeft (-1: never). */
class CutStorage implements StateStorage {
    keys: string[] = []
    values: any[] = []
    writesLeft = -1
    tear = false

    async read(key: string): Promise<any> {
        const i = this.keys.indexOf(key)
        return i < 0 ? null : this.values[i]
    }

    put(key: string, value: any) {
        const i = this.keys.indexOf(key)
        if (i < 0) {
            this.keys.push(key)
            this.values.push(value)
        } else this.values[i] = value
    }

    async write(key: string, value: any): Promise<void> {
        if (this.writesLeft === 0) {
            if (this.tear) this.put(key, torn(await this.read(key), value))
            throw new Error("power cut")
        }
        if (this.writesLeft > 0) this.writesLeft--
        this.put(key, value)
    }
}

const x = [0.5, -0.25, 1]
const y = [0]
// sleeps between steps: the cases run back to back, and only a real
// suspension resets the watchdog's opcode count (the storage here is a stand-in)
async function steps(n: number, base: number) {
    for (let t = 0; t < n; t++) {
        x[0] = base + 0.1 * t
        model.step(x, y)
        await ds.sleep(0)
    }
}
function snap(): string {
    const b = Buffer.alloc(8 * model.stateSize)
    model.snapshot(b)
    return b.toString("hex")
}

const writes = Math.ceil((8 * model.stateSize) / 96) + 1
console.log("WRITES " + writes)
// prior: how many saves came before the one that is cut (0: none; 2: both slots in use)
for (let prior = 0; prior < 3; prior++) {
    for (let k = 0; k <= writes; k++) {
        for (let tear = 0; tear < 2; tear++) {
            const s = new CutStorage()
            model.reset()
            let old = "none"
            for (let p = 0; p < prior; p++) {
                await steps(2, p)
                await saveState(model, s)
                old = snap()
            }
            await steps(3, 5)
            const fresh = snap()
            s.writesLeft = k
            s.tear = tear === 1
            let cut = false
            try {
                await saveState(model, s)
            } catch (e) {
                cut = true
            }
            s.writesLeft = -1
            model.reset()
            const ok = await restoreState(model, s)
            const now = snap()
            const which = !ok ? "none" : now === fresh ? "new" : now === old ? "old" : "MIX"
            console.log("CASE " + prior + " " + k + " " + tear + " " + (cut ? "cut" : "whole") + " " + which)
            await ds.sleep(0)
        }
    }
}
console.log("END")
`

describe("state persistence survives a reset at every point of a save", () => {
    it("restores the old state or the new one, never a mix, and says which generation", async () => {
        const lines = await runWithWeatherModel(CUT_PROGRAM, l => l === "END", 60_000)
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
        // step 3 rows, save, step 2 more (the reference), restore, step the same 2 again
        const main = `import * as ds from "@devicescript/core"
import { writeSetting } from "@devicescript/settings"
import { restoreState, saveState } from "./lib/state-store"
import { model } from "./model"

const x = [0.5, -0.25, 1]
const y = [0]
const out = Buffer.alloc(8)
function step(tag: string, t: number) {
    x[0] = 0.5 + 0.1 * t
    model.step(x, y)
    out.setAt(0, "f64", y[0])
    console.log(tag + " " + t + " " + out.toString("hex"))
}
for (let t = 0; t < 3; t++) step("warm", t)
await saveState(model)
for (let t = 3; t < 5; t++) step("ref", t)
model.reset()
console.log("restored " + (await restoreState(model)))
for (let t = 3; t < 5; t++) step("again", t)
model.reset()
step("zero", 3)
// both slots claimed by a model with one more state value
await writeSetting("dsrnn.a", [model.stateSize + 1, model.macs, 1, 0, 0])
await writeSetting("dsrnn.b", [model.stateSize + 1, model.macs, 1, 0, 1])
for (let t = 0; t < 2; t++) step("warm2", t)
console.log("foreign " + (await restoreState(model)))
step("after-foreign", 3)
// two whole saves, then the first chunk of each zeroed
for (let t = 0; t < 2; t++) step("warm3", t)
await saveState(model)
await saveState(model)
await writeSetting("dsrnn.a0", "${"00".repeat(96)}")
await writeSetting("dsrnn.b0", "${"00".repeat(96)}")
console.log("corrupt " + (await restoreState(model)))
step("after-corrupt", 3)
console.log("end")
`
        const lines = await runWithWeatherModel(main, l => l === "end")
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
