/**
 * Unrolled flash code: the middle path between flash matrices (a Buffer read
 * inside a column loop, 22 opcodes per multiply-add) and specialised code
 * (literal weights, 4 opcodes, but ~7 B of image per multiply-add, so it stops
 * at the VM's 64 KB of bytecode). Rows stay a loop; each row's columns are
 * unrolled into one sum that reads the weights from the same flash literals
 * as matVec, at constant offsets from the row's base, with x and h in locals:
 * `W.getAt(a + k, "i8") * xk` is one LOAD_BUFFER and about 9 opcodes. The
 * compiler allows about 148 locals per function (devs 2.16.4 asserts in
 * packVarIndex beyond), so columns past MAX_COLUMN_LOCALS read the array. Code
 * grows with the columns, not the weights, so any model that fits as flash
 * matrices fits as unrolled code too.
 *
 * Every row is computed as matVec computes it (src/matrix.ts): the dot
 * product left to right, times the row's scale, plus the bias, and the W_h
 * part added to the W_x part afterwards, so both paths give the same doubles.
 * A unit (what stepAsync slices by) is one row, as for flash matrices.
 */
import { type Encoding, WEIGHT_BYTES } from "../model/quantize.ts"

/** A matrix as ModuleWriter put it in flash: literals of whole rows, and a scales literal (null for f32). */
export interface FlashMatrixRef {
    parts: string[]
    partRows: number
    rows: number
    cols: number
    encoding: Encoding
    scales: string | null
}

/** W_x, W_h (null for dense) and the f32 bias literals (null when all zero). */
export interface UnrolledAffine {
    wx: FlashMatrixRef
    wh: FlashMatrixRef | null
    bx: string | null
    bh: string | null
}

/**
 * Statements that point `buf` at the literal holding row `row` of `m` and
 * `base` at that row's first byte.
 */
function rowBase(m: FlashMatrixRef, buf: string, base: string, row: string): string[] {
    const rowBytes = m.cols * WEIGHT_BYTES[m.encoding]
    const decl = m.parts.length > 1 ? "let" : "const"
    const lines = [`${decl} ${buf} = ${m.parts[0]}`, `${decl} ${base} = ${row} * ${rowBytes}`]
    for (let p = m.parts.length - 1; p >= 1; p--) {
        const first = p * m.partRows
        lines.push(`${p === m.parts.length - 1 ? "" : "else "}if (${row} >= ${first}) {`, `    ${buf} = ${m.parts[p]}`, `    ${base} = (${row} - ${first}) * ${rowBytes}`, "}")
    }
    return lines.length > 2 ? [lines[0], lines[1], ...joinElse(lines.slice(2))] : lines
}

/** `}` followed by `else if` on the next line reads badly; put them on one line. */
function joinElse(lines: string[]): string[] {
    const out: string[] = []
    for (const l of lines) {
        if (l.startsWith("else ") && out.length && out[out.length - 1] === "}") out[out.length - 1] = `} ${l}`
        else out.push(l)
    }
    return out
}

/** matVec's value for one row: (sum of w * operand) * scale + bias. */
function rowValue(m: FlashMatrixRef, buf: string, base: string, operand: Operand, bias: string | null, row: string): string {
    const size = WEIGHT_BYTES[m.encoding]
    const terms = Array.from({ length: m.cols }, (_, k) => `${buf}.getAt(${k ? `${base} + ${k * size}` : base}, "${m.encoding}") * ${operand(k)}`)
    const dot = terms.join(" + ") || "0"
    const scaled = m.scales ? `(${dot}) * ${m.scales}.getAt(${row} * 4, "f32")` : dot
    return bias ? `${scaled} + ${bias}.getAt(${row} * 4, "f32")` : scaled
}

/**
 * Column locals per function: the compiler's limit (about 148) less the
 * loops' own (r, and a buffer and a base per matrix; a GRU has three loops).
 */
const MAX_COLUMN_LOCALS = 120

/** Column k of a vector: a local, or the array past the locals. */
type Operand = (k: number) => string

/** The first `locals` values of array `from` (n long) in locals `name0...`, and how each column reads. */
function vector(name: string, from: string, n: number, locals: number): { loads: string[]; at: Operand } {
    const kept = Math.max(0, Math.min(n, locals))
    return {
        loads: Array.from({ length: kept }, (_, k) => `const ${name}${k} = ${from}[${k}]`),
        at: k => (k < kept ? `${name}${k}` : `${from}[${k}]`),
    }
}
const indent = (lines: string[], by: string) => lines.map(l => by + l)

/**
 * A loop over rows [from, to) of `out`: `x` rows of W_x (and of W_h when
 * given), as matVec writes them: `=` or, with `accumulate`, added to what
 * out[r] holds.
 */
function rowLoop(from: string, to: string, out: string, parts: { m: FlashMatrixRef; operand: Operand; bias: string | null }[], accumulate: boolean): string[] {
    const body: string[] = []
    const values = parts.map((p, i) => {
        const buf = `w${i}`
        const base = `a${i}`
        body.push(...rowBase(p.m, buf, base, "r"))
        return rowValue(p.m, buf, base, p.operand, p.bias, "r")
    })
    const sum = values.map((v, i) => (i ? `(${v})` : v)).join(" + ")
    body.push(`${out}[r] = ${accumulate ? `${out}[r] + (${sum})` : sum}`)
    return [`for (let r = ${from}; r < ${to}; r++) {`, ...indent(body, "    "), "}"]
}

/** A DeviceScript class implementing Projection (src/layer.ts) over these flash literals. */
export function unrolledProjection(className: string, a: UnrolledAffine): string {
    const rows = a.wx.rows
    const inputs = a.wx.cols
    const hidden = a.wh ? a.wh.cols : 0
    const x = vector("x", "x", inputs, MAX_COLUMN_LOCALS)
    const h = vector("h", "h", hidden, MAX_COLUMN_LOCALS - inputs)
    const parts = [{ m: a.wx, operand: x.at, bias: a.bx }, ...(a.wh ? [{ m: a.wh, operand: h.at, bias: a.bh }] : [])]
    const body = [...x.loads, ...h.loads, ...rowLoop("unit0", "unit1", "out", parts, false)]
    return `class ${className} implements Projection {
    rows = ${rows}
    inputs = ${inputs}
    hidden = ${hidden}
    units = ${rows}
    unitMacs = ${inputs + hidden}
    apply(x: number[], h: number[], out: number[], unit0: number, unit1: number) {
${indent(body, "        ").join("\n")}
    }
}`
}

/**
 * A DeviceScript class implementing GruProjection (src/gru.ts) over these
 * flash literals, with GruAffine's stages and units (one row each).
 */
export function unrolledGru(className: string, a: UnrolledAffine & { wh: FlashMatrixRef }, resetAfter: boolean): string {
    const n = a.wh.cols
    const inputs = a.wx.cols
    const xv = vector("x", "x", inputs, MAX_COLUMN_LOCALS)
    const hv = vector("h", "h", n, MAX_COLUMN_LOCALS - inputs)
    // stage 1's locals share the function with stage 0's
    const gv = vector("g", "gh", n, MAX_COLUMN_LOCALS - inputs - n)
    const x = { m: a.wx, operand: xv.at, bias: a.bx }
    const h = { m: a.wh, operand: hv.at, bias: a.bh }
    const xLoads = xv.loads
    const hLoads = hv.loads
    let stage0: string[]
    let stage1: string[] = []
    if (resetAfter) {
        stage0 = [...xLoads, ...hLoads, ...rowLoop("unit0", "unit1", "gx", [x], false), ...rowLoop("unit0", "unit1", "gh", [h], false)]
    } else {
        // z and r rows take W_h h too; the n rows wait for r * h (stage 1)
        stage0 = [...xLoads, ...hLoads, ...rowLoop("unit0", `Math.min(unit1, ${2 * n})`, "gx", [x, h], false), ...rowLoop(`Math.max(unit0, ${2 * n})`, "unit1", "gx", [x], false)]
        stage1 = [...gv.loads, ...rowLoop(`${2 * n} + unit0`, `${2 * n} + unit1`, "gx", [{ ...h, operand: gv.at }], true)]
    }
    return `class ${className} implements GruProjection {
    rows = ${3 * n}
    inputs = ${inputs}
    hidden = ${n}
    stageUnits = ${resetAfter ? `[${3 * n}]` : `[${3 * n}, ${n}]`}
    stageUnitMacs = ${resetAfter ? `[${inputs + n}]` : `[${inputs + n}, ${n}]`}
    apply(stage: number, x: number[], h: number[], gx: number[], gh: number[], unit0: number, unit1: number) {
        if (stage === 0) {
${indent(stage0, "            ").join("\n")}
        }${resetAfter ? "" : ` else {
${indent(stage1, "            ").join("\n")}
        }`}
    }
}`
}

/**
 * Image bytes of unrolled code, over the flash matrices' own (measured,
 * LSTM(H, 3 inputs) + Dense(1), i8: +1,504 B for H = 64, 131 columns;
 * +3,872 B for H = 128, 259 columns; LSTM(16) came out 224 B smaller, as the
 * app no longer needs matVec): about 15 B per column, rounded up.
 */
export const UNROLLED_BYTES_PER_COLUMN = 16
export const UNROLLED_CLASS_BYTES = 200
