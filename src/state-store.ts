import { readSetting, writeSetting } from "@devicescript/settings"
import { Model } from "./model"

/*
 * State persistence in @devicescript/settings. A value is one JSON packet
 * (about 220 bytes) under a key of at most 13 characters, so the snapshot
 * (8 * stateSize bytes of f64) is stored as hex chunks of CHUNK bytes:
 *   "dsrnn.state" = [stateSize, macs, chunks, checksum]
 *   "dsrnn.s0", "dsrnn.s1", ... = hex strings
 * stateSize and macs fingerprint the model: a state saved by another model is ignored.
 */
const STATE_HEADER = "dsrnn.state"
const STATE_CHUNK = "dsrnn.s"
const CHUNK = 96

/** Fletcher-style sum over the snapshot bytes; detects a changed or truncated chunk. */
function checksum(buf: Buffer): number {
    let a = 1
    let b = 0
    for (let i = 0; i < buf.length; i++) {
        a = (a + buf.getAt(i, "u8")) % 65521
        b = (b + a) % 65521
    }
    return b * 65536 + a
}

/** Saves model.snapshot() to settings; restoreState reads it back after a restart. */
export async function saveState(model: Model) {
    const buf = Buffer.alloc(8 * model.stateSize)
    model.snapshot(buf)
    const chunks = Math.ceil(buf.length / CHUNK)
    for (let c = 0; c < chunks; c++) {
        const part = buf.slice(c * CHUNK, Math.min(buf.length, (c + 1) * CHUNK))
        await writeSetting(STATE_CHUNK + c, part.toString("hex"))
    }
    // the header last: a save cut short leaves the old header, whose checksum then fails
    await writeSetting(STATE_HEADER, [model.stateSize, model.macs, chunks, checksum(buf)])
}

/**
 * Restores the state saved by saveState. Returns true when it did; a missing
 * state returns false quietly; a corrupted one or one from another model
 * prints "dsrnn: state rejected <why>" and leaves the state at zero.
 */
export async function restoreState(model: Model): Promise<boolean> {
    const header: number[] = await readSetting(STATE_HEADER, null)
    if (!header) return false
    const why = await loadState(model, header)
    if (why) {
        model.reset()
        console.log(`dsrnn: state rejected ${why}`)
        return false
    }
    console.log(`dsrnn: state restored (${model.stateSize} values)`)
    return true
}

async function loadState(model: Model, header: number[]): Promise<string> {
    if (!Array.isArray(header) || header.length !== 4) return "(bad header)"
    if (header[0] !== model.stateSize || header[1] !== model.macs)
        return `(saved by another model: state ${header[0]}, macs ${header[1]}; this one has ${model.stateSize}, ${model.macs})`
    const buf = Buffer.alloc(8 * model.stateSize)
    const chunks = Math.ceil(buf.length / CHUNK)
    if (header[2] !== chunks) return `(${header[2]} chunks, expected ${chunks})`
    for (let c = 0; c < chunks; c++) {
        const hex: string = await readSetting(STATE_CHUNK + c, null)
        const size = Math.min(buf.length, (c + 1) * CHUNK) - c * CHUNK
        if (typeof hex !== "string" || hex.length !== 2 * size) return `(chunk ${c} missing or wrong size)`
        const part = Buffer.from(hex, "hex")
        if (part.length !== size) return `(chunk ${c} is not hex)`
        buf.blitAt(c * CHUNK, part, 0, size)
    }
    if (checksum(buf) !== header[3]) return "(checksum mismatch)"
    for (let i = 0; i < model.stateSize; i++)
        if (!(Math.abs(buf.getAt(8 * i, "f64")) < 1e308)) return `(value ${i} is not finite)`
    model.restore(buf)
    return ""
}
