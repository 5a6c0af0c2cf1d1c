/**
 * The power-cut program of state-store.test.ts: for each number of saves
 * before (prior), each write k of a save and both kinds of cut, one
 * "CASE prior k tear cut|whole none|old|new|MIX" line after the restore.
 */
import * as ds from "@devicescript/core"
import { CHUNK_BYTES, StateStorage, restoreState, saveState } from "./lib/state-store"
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

// the chunks, then the header
const writes = Math.ceil((8 * model.stateSize) / CHUNK_BYTES) + 1
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
