/**
 * Specialised affine code for a dense layer or a reset-before GRU (other
 * recurrent layers are emitted whole, cell.ts): out[r] = W_x[r] . x +
 * W_h[r] . h + b as straight-line DeviceScript with the weights as literals. A multiply-add
 * becomes CONST, LOAD, MUL, ADD (4 opcodes) instead of a Buffer read inside
 * a loop; integer weights stay small integer literals with one scale
 * multiply per row, so i8 and i16 still compute q * scale exactly as the
 * flash path does. Rows are grouped in blocks: the unit stepAsync slices by.
 */
import type { GruLayer, Matrix } from "../model/canonical.ts"
import { type Encoding, packMatrix } from "../model/quantize.ts"

/** Multiply-adds per block: fine enough slices for stepAsync, few enough block tests. */
export const BLOCK_MACS = 512

interface Term {
    weight: string
    operand: string
}

export function dot(terms: Term[]): string {
    return terms
        .map((t, i) => {
            const negative = t.weight.startsWith("-")
            const mag = negative ? t.weight.slice(1) : t.weight
            const product = mag === "1" ? t.operand : `${mag} * ${t.operand}`
            return i === 0 ? (negative ? `-${product}` : product) : ` ${negative ? "-" : "+"} ${product}`
        })
        .join("")
}

/** Literal weights of one matrix row and the row's scale ("" for f32). */
export function rowLiterals(m: Matrix, encoding: Encoding, name: string): { weights: string[][]; scales: string[] } {
    const p = packMatrix(m, encoding, name)
    const view = new DataView(p.data.buffer, p.data.byteOffset, p.data.byteLength)
    const weights = m.map((row, r) =>
        row.map((_, k) => {
            const i = r * p.cols + k
            if (encoding === "i8") return String(view.getInt8(i))
            if (encoding === "i16") return String(view.getInt16(2 * i, true))
            return String(view.getFloat32(4 * i, true))
        })
    )
    return { weights, scales: p.scales ? Array.from(p.scales, String) : m.map(() => "") }
}

export function part(literals: { weights: string[][]; scales: string[] }, r: number, prefix: string): string {
    const terms = literals.weights[r].map((weight, k) => ({ weight, operand: `${prefix}${k}` })).filter(t => Number(t.weight) !== 0)
    if (!terms.length) return ""
    const sum = dot(terms)
    return literals.scales[r] ? `(${sum}) * ${literals.scales[r]}` : sum
}

/** Straight-line rows in blocks of `perBlock`: block b runs when unit0 <= b < unit1. */
export function blocks(rows: number, perBlock: number, row: (r: number) => string[], indent = "        "): { body: string[]; count: number } {
    const count = Math.ceil(rows / perBlock)
    const body: string[] = []
    for (let b = 0; b < count; b++) {
        body.push(`${indent}if (unit0 <= ${b} && unit1 > ${b}) {`)
        for (let r = b * perBlock; r < Math.min(rows, (b + 1) * perBlock); r++) body.push(...row(r).map(l => `${indent}    ${l}`))
        body.push(`${indent}}`)
    }
    return { body, count }
}

export const sum = (parts: string[]) => parts.filter(Boolean).join(" + ") || "0"
export const loads = (name: string, from: string, n: number) => Array.from({ length: n }, (_, k) => `        const ${name}${k} = ${from}[${k}]`)

export interface SpecializedAffine {
    Wx: Matrix
    Wh: Matrix | null
    bias: number[]
}

/** A DeviceScript class implementing Projection for these weights. */
export function specializedProjection(className: string, a: SpecializedAffine, encoding: Encoding): string {
    const rows = a.Wx.length
    const inputs = a.Wx[0].length
    const hidden = a.Wh ? a.Wh[0].length : 0
    const perBlock = Math.max(1, Math.floor(BLOCK_MACS / (inputs + hidden)))
    const wx = rowLiterals(a.Wx, encoding, `${className}.Wx`)
    const wh = a.Wh ? rowLiterals(a.Wh, encoding, `${className}.Wh`) : null
    const { body, count } = blocks(rows, perBlock, r => [`out[${r}] = ${sum([part(wx, r, "x"), wh ? part(wh, r, "h") : "", a.bias[r] ? String(a.bias[r]) : ""])}`])
    return `class ${className} implements Projection {
    rows = ${rows}
    inputs = ${inputs}
    hidden = ${hidden}
    units = ${count}
    unitMacs = ${perBlock * (inputs + hidden)}
    apply(x: number[], h: number[], out: number[], unit0: number, unit1: number) {
${[...loads("x", "x", inputs), ...loads("h", "h", hidden)].join("\n")}
${body.join("\n")}
    }
}`
}

/**
 * A DeviceScript class implementing GruProjection (src/gru.ts) for this
 * layer: the same sums as GruAffine, straight-line, in blocks per stage.
 */
export function specializedGru(className: string, l: GruLayer, encoding: Encoding): string {
    const n = l.units
    const inputs = l.inputSize
    const wx = rowLiterals(l.Wx, encoding, `${className}.Wx`)
    const wh = rowLiterals(l.Wh, encoding, `${className}.Wh`)
    const bias = (v: number) => (Math.fround(v) ? String(Math.fround(v)) : "")
    const bothBiases = (r: number) => (Math.fround(l.bx[r]) + Math.fround(l.bh[r]) ? String(Math.fround(l.bx[r]) + Math.fround(l.bh[r])) : "")
    const perBlock0 = Math.max(1, Math.floor(BLOCK_MACS / (inputs + n)))
    const stage0 = blocks(3 * n, perBlock0, r => {
        if (l.resetAfter) return [`gx[${r}] = ${sum([part(wx, r, "x"), bias(l.bx[r])])}`, `gh[${r}] = ${sum([part(wh, r, "h"), bias(l.bh[r])])}`]
        if (r < 2 * n) return [`gx[${r}] = ${sum([part(wx, r, "x"), part(wh, r, "h"), bothBiases(r)])}`]
        return [`gx[${r}] = ${sum([part(wx, r, "x"), bias(l.bx[r])])}`]
    }, "            ")
    const perBlock1 = Math.max(1, Math.floor(BLOCK_MACS / n))
    const stage1 = l.resetAfter ? null : blocks(n, perBlock1, r => [`gx[${2 * n + r}] = ${sum([`gx[${2 * n + r}]`, part(wh, 2 * n + r, "g"), bias(l.bh[2 * n + r])])}`], "            ")
    const units = stage1 ? `[${stage0.count}, ${stage1.count}]` : `[${stage0.count}]`
    const unitMacs = stage1 ? `[${perBlock0 * (inputs + n)}, ${perBlock1 * n}]` : `[${perBlock0 * (inputs + n)}]`
    const indent = (lines: string[]) => lines.map(x => "    " + x)
    return `class ${className} implements GruProjection {
    rows = ${3 * n}
    inputs = ${inputs}
    hidden = ${n}
    stageUnits = ${units}
    stageUnitMacs = ${unitMacs}
    apply(stage: number, x: number[], h: number[], gx: number[], gh: number[], unit0: number, unit1: number) {
        if (stage === 0) {
${indent([...loads("x", "x", inputs), ...loads("h", "h", n)]).join("\n")}
${stage0.body.join("\n")}
        }${stage1 ? ` else {
${indent(loads("g", "gh", n)).join("\n")}
${stage1.body.join("\n")}
        }` : ""}
    }
}`
}

/**
 * Image bytes a multiply-add costs as literal code, measured from LSTM(32) to
 * LSTM(48) (i8: 45.6 KB to 87.4 KB with the library; the two-row sums are
 * float64 literals of 8 B each) and LSTM(16) to LSTM(32) (i16, f32).
 */
export const SPECIALIZED_BYTES_PER_MAC = { i8: 8, i16: 9.5, f32: 17 }

/**
 * The VM refuses an image whose functions hold 64 KB of bytecode or more
 * (verification error 1051), whatever the board: measured, LSTM(52, 3 inputs)
 * i8 specialised (11,492 multiply-adds) builds and LSTM(54) (12,366) does
 * not. The limit leaves room for the sensor app's own code.
 */
export const SPECIALIZED_MAX_MACS = 9_000
