import { readSetting, writeSetting } from "@devicescript/settings"
import { Model } from "./model"

/*
 * State persistence that survives a power cut at any point of a save.
 *
 * A settings value is one JSON packet (about 220 bytes) under a key of at
 * most 13 characters, so the snapshot (8 * stateSize bytes of f64) is stored
 * as hex chunks of CHUNK_BYTES bytes. There are two slots, "a" and "b":
 *   "dsrnn.a" = [stateSize, macs, chunks, checksum, generation]
 *   "dsrnn.a0", "dsrnn.a1", ... = hex strings
 * A save writes the slot that does not hold the newest state, chunks first
 * and its header last, with the next generation. A save cut short leaves
 * that slot's old header over new chunks (its checksum fails) or no header,
 * and the other slot untouched, so a restore finds the old state; once the
 * header is written it finds the new one. It never assembles a mix: every
 * chunk it restores is checked against the checksum of the same save.
 * stateSize and macs fingerprint the model: a state saved by another model
 * is ignored.
 */
const SLOTS = ["a", "b"]
/** What every key starts with: the slots' headers are STATE_KEY_PREFIX + "a", their chunks STATE_KEY_PREFIX + "a0", .... */
export const STATE_KEY_PREFIX = "dsrnn."
/** Snapshot bytes per settings value (192 hex characters, in one packet with the key). */
export const CHUNK_BYTES = 96

/** Where the state is kept: settings on a device, a stand-in in tests (which can cut the power). */
export interface StateStorage {
    read(key: string): Promise<any>
    write(key: string, value: any): Promise<void>
}

/** @devicescript/settings, the flash key-value store of the board. */
export class SettingsStorage implements StateStorage {
    async read(key: string): Promise<any> {
        return await readSetting(key, null)
    }

    async write(key: string, value: any): Promise<void> {
        await writeSetting(key, value)
    }
}

const SETTINGS = new SettingsStorage()

/** Fletcher-style sum over the snapshot bytes; detects a changed, missing or mixed chunk. */
function checksum(buf: Buffer): number {
    let a = 1
    let b = 0
    for (let i = 0; i < buf.length; i++) {
        a = (a + buf.getAt(i, "u8")) % 65521
        b = (b + a) % 65521
    }
    return b * 65536 + a
}

function chunkCount(model: Model): number {
    return Math.ceil((8 * model.stateSize) / CHUNK_BYTES)
}

/** The generation a slot's header claims for this model, or -1 (no header, or another model's). */
function claimed(model: Model, header: any): number {
    if (!Array.isArray(header) || header.length !== 5) return -1
    if (header[0] !== model.stateSize || header[1] !== model.macs) return -1
    const g = header[4]
    return typeof g === "number" && g >= 0 ? g : -1
}

/** Saves model.snapshot(); restoreState reads it back after a restart, even after a power cut during the save. */
export async function saveState(model: Model, storage?: StateStorage) {
    const store = storage || SETTINGS
    const buf = Buffer.alloc(8 * model.stateSize)
    model.snapshot(buf)
    const a = claimed(model, await store.read(STATE_KEY_PREFIX + SLOTS[0]))
    const b = claimed(model, await store.read(STATE_KEY_PREFIX + SLOTS[1]))
    // overwrite the older slot; the newer one stays whole until this save is complete
    const slot = a > b ? SLOTS[1] : SLOTS[0]
    const generation = Math.max(a, b) + 1
    const chunks = chunkCount(model)
    for (let c = 0; c < chunks; c++) {
        const part = buf.slice(c * CHUNK_BYTES, Math.min(buf.length, (c + 1) * CHUNK_BYTES))
        await store.write(STATE_KEY_PREFIX + slot + c, part.toString("hex"))
    }
    await store.write(STATE_KEY_PREFIX + slot, [model.stateSize, model.macs, chunks, checksum(buf), generation])
}

/** Reads a slot into buf; returns "" when it holds a whole state of this model, else why not. */
async function loadSlot(model: Model, store: StateStorage, slot: string, header: any, buf: Buffer): Promise<string> {
    if (!Array.isArray(header) || header.length !== 5) return "(bad header)"
    if (header[0] !== model.stateSize || header[1] !== model.macs)
        return `(saved by another model: state ${header[0]}, macs ${header[1]}; this one has ${model.stateSize}, ${model.macs})`
    const chunks = chunkCount(model)
    if (header[2] !== chunks) return `(${header[2]} chunks, expected ${chunks})`
    for (let c = 0; c < chunks; c++) {
        const hex: string = await store.read(STATE_KEY_PREFIX + slot + c)
        const size = Math.min(buf.length, (c + 1) * CHUNK_BYTES) - c * CHUNK_BYTES
        if (typeof hex !== "string" || hex.length !== 2 * size) return `(chunk ${c} missing or wrong size)`
        const part = Buffer.from(hex, "hex")
        if (part.length !== size) return `(chunk ${c} is not hex)`
        buf.blitAt(c * CHUNK_BYTES, part, 0, size)
    }
    if (checksum(buf) !== header[3]) return "(checksum mismatch)"
    for (let i = 0; i < model.stateSize; i++) if (!(Math.abs(buf.getAt(8 * i, "f64")) < 1e308)) return `(value ${i} is not finite)`
    return ""
}

/**
 * Restores the newest whole state saveState wrote and says which:
 *   dsrnn: state restored generation G (slot s)
 *   dsrnn: state restored generation G (slot s); slot t not restored (why)
 * Generations count the saves from 0. After a save that a reset cut short,
 * G is the save before it, and the other slot usually holds the cut one.
 * Returns false, leaving the state at zero, when no slot holds a whole state:
 * quietly when nothing was ever saved, else printing "dsrnn: state rejected (why)".
 */
export async function restoreState(model: Model, storage?: StateStorage): Promise<boolean> {
    const store = storage || SETTINGS
    const buf = Buffer.alloc(8 * model.stateSize)
    let best = -1
    let bestSlot = ""
    let rejected = ""
    let note = ""
    for (const slot of SLOTS) {
        const header = await store.read(STATE_KEY_PREFIX + slot)
        if (header === null || header === undefined) continue
        const g = claimed(model, header)
        const why = await loadSlot(model, store, slot, header, buf)
        if (why) {
            if (!rejected) rejected = why
            note = `; slot ${slot} not restored ${why}`
        } else if (g > best) {
            best = g
            bestSlot = slot
        }
    }
    if (best < 0) {
        model.reset()
        if (rejected) console.log(`dsrnn: state rejected ${rejected}`)
        return false
    }
    // buf holds the last slot read: read the chosen one again
    await loadSlot(model, store, bestSlot, await store.read(STATE_KEY_PREFIX + bestSlot), buf)
    model.restore(buf)
    console.log(`dsrnn: state restored generation ${best} (slot ${bestSlot})${note}`)
    return true
}
