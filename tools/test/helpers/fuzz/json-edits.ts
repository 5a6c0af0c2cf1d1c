/**
 * Edits of a JSON document the way a broken exporter or a careless hand
 * makes them: a value replaced by a nasty one, a key or element removed, an
 * element added, the text cut short or a character changed.
 */
import fc from "fast-check"

/**
 * Stands for an array nested that deep; editedJson writes it into the text,
 * since JSON.stringify itself would overflow the stack on it.
 */
const DEEP = "@deep-array:"

/** Values that have broken parsers: JavaScript property names, paths out of a folder, huge and deep arrays, long text. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
    {
        weight: 12,
        arbitrary: fc.constantFrom<unknown>(
            null, true, false, 0, -1, 1, 2, 3, 0.5, -0.0, 1e39, -1e39, 1e308, 2 ** 31, 2 ** 53, 1e-45,
            "", " ", "constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "length",
            "../outside.bin", "/etc/passwd", "/dev/null", ".", "..", "weights.bin", "link.bin", "model.json",
            "tanh", "relu", "sigmoid", "hard_sigmoid", "hardSigmoid", "softmax", "linear", "elu", "swish",
            "rnn", "lstm", "gru", "dense", "LSTM", "GRU", "SimpleRNN", "Dense", "Dropout", "InputLayer", "Conv1D", "Sequential", "Model",
            "float32", "int32", "uint8", "float16", "bool", "string", "dsrnn-model", "graph-model", "3.0.0", "2.15.0",
            "temperature", "humidity", "accel_x", "t", "a\nb",
            [], {}, [[]], [1], [1, 2, 3], [null, null], [-1, 2], ["a"], { length: 3 }, { dtype: "int8" }
        ),
    },
    { weight: 4, arbitrary: fc.integer({ min: -5, max: 40 }) },
    { weight: 2, arbitrary: fc.double() },
    { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
    // deeper than the ~10,000 frames a recursive walk survives
    { weight: 1, arbitrary: fc.constantFrom(50, 20_000, 100_000).map(depth => `${DEEP}${depth}`) },
    { weight: 1, arbitrary: fc.constantFrom(400, 50_000).map(n => new Array(n).fill(7)) },
    { weight: 1, arbitrary: fc.constantFrom(400, 5_000).map(n => "x".repeat(n)) }
)

interface JsonEdit {
    kind: "set" | "delete" | "insert"
    /** Which node of the document, modulo their number. */
    at: number
    /** Pick among the nodes under an object key (units, paths, activation), not the many weight values. */
    keyed: boolean
    value: unknown
}

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({ kind: fc.constantFrom("set", "set", "delete", "insert"), at: fc.nat(), keyed: fc.boolean(), value: nastyValue })

export interface TextEdit {
    /** Keep this fraction of the text (1 = all). */
    keep: number
    /** Replace the character at this fraction of the text, or not. */
    flip?: { at: number; char: string }
}

/** Mostly nothing, sometimes `arb`: most cases should get far enough to test more than the first check. */
export function sometimes<T, N>(arb: fc.Arbitrary<T>, nothing: N): fc.Arbitrary<T | N> {
    return fc.oneof({ arbitrary: fc.constant(nothing), weight: 3 }, { arbitrary: arb, weight: 1 })
}

/** Up to three edits, none in about a third of the cases. */
export function someEdits<T>(edit: fc.Arbitrary<T>): fc.Arbitrary<T[]> {
    return fc.oneof({ arbitrary: fc.constant<T[]>([]), weight: 1 }, { arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }), weight: 2 })
}

export function textEdit(chars: string[]): fc.Arbitrary<TextEdit | null> {
    const at = fc.double({ min: 0, max: 1, noNaN: true })
    return sometimes(fc.record({ keep: at, flip: fc.option(fc.record({ at, char: fc.constantFrom(...chars) }), { nil: undefined }) }), null)
}

export const jsonEdits = fc.record({ edits: someEdits(jsonEdit), text: textEdit(["{", "}", "[", "]", ",", ":", '"', "\\", "0", "-", "e", " ", "\u0000"]) })
export type JsonEdits = typeof jsonEdits extends fc.Arbitrary<infer T> ? T : never

/** A node of the document: its parent's index in the walk and its key there. */
interface Node {
    value: unknown
    parent: number
    key: string | number
}

/** The document's nodes, breadth first, at most `limit` of them (a deep array costs its depth, not its depth squared). */
function walk(doc: unknown, limit = 5000): Node[] {
    const nodes: Node[] = [{ value: doc, parent: -1, key: "" }]
    for (let next = 0; next < nodes.length && nodes.length < limit; next++) {
        const v = nodes[next].value
        if (Array.isArray(v)) v.slice(0, limit).forEach((x, i) => nodes.push({ value: x, parent: next, key: i }))
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) nodes.push({ value: x, parent: next, key: k })
    }
    return nodes
}

function applyEdit(doc: unknown, edit: JsonEdit): void {
    const { kind, at, keyed } = edit
    // a copy: fast-check hands out one object for a constant, and inserting it into itself would make a cycle
    const value = structuredClone(edit.value)
    const all = walk(doc).slice(1)
    const nodes = keyed ? all.filter(n => typeof n.key === "string") : all
    if (!nodes.length) return
    const node = nodes[at % nodes.length]
    const parent = (node.parent === 0 ? doc : all[node.parent - 1].value) as Record<string | number, unknown>
    const key = node.key
    if (kind === "set") parent[key] = value
    else if (Array.isArray(parent)) {
        if (kind === "delete") parent.splice(key as number, 1)
        else parent.splice(key as number, 0, value)
    } else if (kind === "delete") delete parent[key]
    else parent[`${key}_`] = value
}

/** The document with the edits applied, as file text. */
export function editedJson(doc: unknown, { edits, text }: JsonEdits): string {
    const copy = structuredClone(doc)
    for (const e of edits) applyEdit(copy, e)
    const json = JSON.stringify(copy).replace(new RegExp(`"${DEEP}(\\d+)"`, "g"), (_, depth) => "[".repeat(+depth) + "1" + "]".repeat(+depth))
    return editText(json, text)
}

export function editText(s: string, edit: TextEdit | null): string {
    if (!edit) return s
    let out = s.slice(0, Math.round(s.length * edit.keep))
    if (edit.flip && out.length) {
        const i = Math.min(out.length - 1, Math.floor(out.length * edit.flip.at))
        out = out.slice(0, i) + edit.flip.char + out.slice(i + 1)
    }
    return out
}

/** Byte edits of a binary file: cut, grown, flipped, or a float32 set to a special value. */
export const byteEdits = sometimes(fc.array(
    fc.oneof(
        fc.record({ kind: fc.constant("cut" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
        fc.record({ kind: fc.constant("grow" as const), by: fc.integer({ min: 1, max: 16 }) }),
        fc.record({ kind: fc.constant("flip" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), xor: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ kind: fc.constant("float" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), value: fc.constantFrom(NaN, Infinity, -Infinity, 3e38, -3e38, 1e-45) })
    ),
    { minLength: 1, maxLength: 3 }
), [])
export type ByteEdits = typeof byteEdits extends fc.Arbitrary<infer T> ? T : never

export function editBytes(bytes: Uint8Array, edits: ByteEdits): Uint8Array {
    let b = Uint8Array.from(bytes)
    for (const e of edits) {
        if (e.kind === "cut") b = b.slice(0, Math.floor(b.length * e.at))
        else if (e.kind === "grow") b = Uint8Array.from([...b, ...new Array(e.by).fill(0x41)])
        else if (!b.length) continue
        else if (e.kind === "flip") b[Math.min(b.length - 1, Math.floor(b.length * e.at))] ^= e.xor
        else if (b.length >= 4) new DataView(b.buffer).setFloat32(4 * Math.min(Math.floor(b.length / 4) - 1, Math.floor((b.length / 4) * e.at)), e.value, true)
    }
    return b
}
