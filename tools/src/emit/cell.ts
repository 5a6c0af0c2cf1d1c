/**
 * A recurrent layer's whole step as straight-line DeviceScript (CellCode in
 * src/cell.ts): per unit, the gate sums with literal weights, the
 * activations written out as src/activation.ts computes them, and the state
 * update, with no gate arrays in between. In an i8 layer with a grid
 * (hiddenBits), two rows of W_h share one float64 sum: the packed weight
 * q_a + q_b * 2^26 times the integer h * 2^bits gives both rows' sums
 * exactly, split again with one rounding.
 */
import { type Activation, type GruLayer, type Layer, type LstmLayer, type RnnLayer, gateCount } from "../model/canonical.ts"
import { type Encoding, PACK_SHIFT } from "../model/quantize.ts"
import { BLOCK_MACS, blocks, dot, loads, part, rowLiterals, sum } from "./specialized.ts"

export type CellLayer = LstmLayer | RnnLayer | GruLayer

const E = "2.718281828459045"
/**
 * Activations as src/activation.ts computes them, each applied to its
 * argument already multiplied by `fold`: sigmoid's -x and tanh's -2x are
 * folded into the weight scales and biases, exact as both are powers of two,
 * so the values are the same bits as the flash path's.
 */
const ACTIVATION: Partial<Record<Activation, { fold: number; of: (v: string) => string }>> = {
    linear: { fold: 1, of: v => v },
    relu: { fold: 1, of: v => `Math.max(0, ${v})` },
    sigmoid: { fold: -1, of: v => `1 / (1 + Math.pow(${E}, ${v}))` },
    hard_sigmoid: { fold: 1, of: v => `Math.max(0, Math.min(1, 0.2 * (${v}) + 0.5))` },
    tanh: { fold: -2, of: v => `2 / (1 + Math.pow(${E}, ${v})) - 1` },
}
/** Adding then subtracting 1.5 * 2^(52 + PACK_SHIFT) rounds a float64 to a multiple of 2^PACK_SHIFT. */
const ROUND_TO_HIGH = 1.5 * 2 ** (52 + PACK_SHIFT)

/** v * factor, written as the flash path writes it. */
const times1 = (v: string, factor: number) => (factor === 1 ? v : factor === -1 ? `-${v}` : `${factor} * ${v}`)

type Literals = ReturnType<typeof rowLiterals>
/** The literals times `factor` (a power of two, so exact): through the scales, or the weights themselves for f32. */
function times(l: Literals, factor: number): Literals {
    if (factor === 1) return l
    if (l.scales[0]) return { weights: l.weights, scales: l.scales.map(s => String(Number(s) * factor)) }
    return { weights: l.weights.map(row => row.map(w => String(Number(w) * factor))), scales: l.scales }
}

/** Whether a layer's step can be emitted as one CellCode: a GRU must reset after (reset-before needs all of r first). */
export function hasCellCode(l: Layer): l is CellLayer {
    if (l.type === "dense" || (l.type === "gru" && !l.resetAfter)) return false
    return !!ACTIVATION[l.activation] && (l.type === "rnn" || !!ACTIVATION[l.recurrentActivation])
}

/** Units one group of code handles: an LSTM unit has 4 rows (2 packed sums); RNN and GRU units go in pairs so their rows pair up. */
const groupUnits = (l: CellLayer) => (l.type === "lstm" ? 1 : 2)

/** A class implementing CellCode for this layer, and the CompiledCell that runs it; `bits` is the layer's h grid (its plan's hiddenBits). */
export function specializedCell(className: string, l: CellLayer, encoding: Encoding, bits: number): { code: string; layer: string } {
    const n = l.units
    const inputs = l.inputSize
    const rowsPerUnit = gateCount(l)
    const wx = rowLiterals(l.Wx, encoding, `${className}.Wx`)
    const wh = rowLiterals(l.Wh, encoding, `${className}.Wh`)
    const f32 = (v: number) => Math.fround(v)
    const literal = (v: number) => (v ? String(v) : "")
    const bias = (r: number) => f32(l.bx[r]) + f32(l.bh[r])
    const fold = (a: Activation) => ACTIVATION[a]!.fold
    const xPart = (r: number, factor: number) => part(times(wx, factor), r, "x")

    /**
     * Each row's W_h h, scaled and times factor(i), as an expression, after
     * the lines it needs. With a grid, rows pair up: one float64 sum t_p of
     * both, whose multiple of 2^26 (v_p) is the high row and t_p - v_p the
     * low row, both exact.
     */
    const recurrent = (rows: number[], factor: (i: number) => number): { lines: string[]; h: string[] } => {
        // with a grid, h is loaded as integers h * 2^bits, so the scales take 2^-bits
        const scaled = bits ? { weights: wh.weights, scales: wh.scales.map(s => String(Number(s) * 2 ** -bits)) } : wh
        const single = (i: number) => part(times(scaled, factor(i)), rows[i], "h") || "0"
        if (!bits) return { lines: [], h: rows.map((_, i) => single(i)) }
        const scale = (i: number) => Number(scaled.scales[rows[i]]) * factor(i)
        const lines: string[] = []
        const h: string[] = []
        for (let i = 0; i + 1 < rows.length; i += 2) {
            const [a, b] = [rows[i], rows[i + 1]]
            const terms = wh.weights[a]
                .map((qa, k) => ({ weight: String(Number(qa) + Number(wh.weights[b][k]) * 2 ** PACK_SHIFT), operand: `h${k}` }))
                .filter(t => Number(t.weight) !== 0)
            const [t, v] = [`t${i / 2}`, `v${i / 2}`]
            lines.push(`${t} = ${dot(terms) || "0"}`, `${v} = ${t} + ${ROUND_TO_HIGH} - ${ROUND_TO_HIGH}`)
            h.push(`(${t} - ${v}) * ${scale(i)}`, `${v} * ${scale(i + 1) * 2 ** -PACK_SHIFT}`)
        }
        if (rows.length % 2) h.push(single(rows.length - 1))
        return { lines, h }
    }
    /** The argument of row r's activation a: W_x x + W_h h + b with the fold in every literal. */
    const pre = (a: Activation, r: number, h: string) => sum([h, xPart(r, fold(a)), literal(bias(r) * fold(a))])
    /** value * rec(arg); a sigmoid's 1 / (1 + e^-x) becomes value / (1 + e^-x), one multiply fewer. */
    const gated = (value: string, rec: Activation, arg: string) =>
        rec === "sigmoid" ? `${value} / (1 + Math.pow(${E}, ${arg}))` : `(${ACTIVATION[rec]!.of(arg)}) * ${value}`

    const group = (index: number): string[] => {
        if (l.type === "lstm") {
            const j = index
            const rec = l.recurrentActivation
            const acts = [rec, rec, l.activation, rec]
            const rows = [j, n + j, 2 * n + j, 3 * n + j]
            const { lines, h } = recurrent(rows, i => fold(acts[i]))
            const [i, f, g, o] = rows.map((r, k) => pre(acts[k], r, h[k]))
            const actC = l.activation === "linear" ? "cj" : `(${ACTIVATION[l.activation]!.of(times1("cj", fold(l.activation)))})`
            // c = f * c + i * c~, h = o * act(c), with the gates inline
            return [...lines, `g = ${ACTIVATION[l.activation]!.of(g)}`, `cj = ${gated(`c[${j}]`, rec, f)} + ${gated("g", rec, i)}`, `c[${j}] = cj`, `hOut[${j}] = ${gated(actC, rec, o)}`]
        }
        const units = [2 * index, 2 * index + 1].filter(j => j < n)
        if (l.type === "rnn") {
            const { lines, h } = recurrent(units, () => fold(l.activation))
            return [...lines, ...units.map((j, u) => `hOut[${j}] = ${ACTIVATION[l.activation]!.of(pre(l.activation, j, h[u]))}`)]
        }
        // GRU, reset after: n = act(W_xn x + b_xn + r * (W_hn h + b_hn)), as GruAffine computes it
        const rec = l.recurrentActivation
        const k = fold(l.activation)
        const rows = units.flatMap(j => [j, n + j, 2 * n + j])
        const { lines, h } = recurrent(rows, i => fold(i % 3 === 2 ? l.activation : rec))
        return [
            ...lines,
            ...units.flatMap((j, u) => {
                const [z, r, m] = [h[3 * u], h[3 * u + 1], h[3 * u + 2]]
                const fromX = sum([xPart(2 * n + j, k), literal(f32(l.bx[2 * n + j]) * k)])
                return [
                    `z = ${ACTIVATION[rec]!.of(pre(rec, j, z))}`,
                    `m = ${ACTIVATION[l.activation]!.of(`${fromX} + ${gated(`(${sum([m, literal(f32(l.bh[2 * n + j]) * k)])})`, rec, pre(rec, n + j, r))}`)}`,
                    `hOut[${j}] = z * h[${j}] + (1 - z) * m`,
                ]
            }),
        ]
    }

    const perGroup = groupUnits(l)
    const groups = Math.ceil(n / perGroup)
    const groupMacs = perGroup * rowsPerUnit * (inputs + n)
    const perBlock = Math.max(1, Math.floor(BLOCK_MACS / groupMacs))
    const { body, count } = blocks(groups, perBlock, group)
    const pairs = bits ? Math.floor((perGroup * rowsPerUnit) / 2) : 0
    const temps = [...Array.from({ length: pairs }, (_, p) => [`t${p}`, `v${p}`]).flat(), ...(l.type === "lstm" ? ["g", "cj"] : l.type === "gru" ? ["z", "m"] : [])]
    const hLoads = bits
        ? Array.from({ length: n }, (_, k) => `        const h${k} = Math.round(h[${k}] * ${2 ** bits})`)
        : loads("h", "h", n)
    const code = `class ${className} implements CellCode {
    rows = ${rowsPerUnit * n}
    inputs = ${inputs}
    hidden = ${n}
    blocks = ${count}
    blockMacs = ${perBlock * groupMacs}
    apply(x: number[], h: number[], c: number[], hOut: number[], unit0: number, unit1: number) {
${[...loads("x", "x", inputs), ...hLoads].join("\n")}
${temps.length ? `        let ${temps.map(t => `${t} = 0`).join(", ")}\n` : ""}
${body.join("\n")}
    }
}`
    return { code, layer: `new CompiledCell(${inputs}, ${n}, new ${className}(), ${rowsPerUnit}, ${l.type === "lstm"})` }
}
