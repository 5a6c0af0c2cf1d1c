/**
 * The emit stage: a canonical model plus an encoding become a DeviceScript
 * module that builds the model from the src/ library, weights as `hex`
 * literals so they stay in flash.
 */
import type { Activation, CanonicalModel, Layer } from "../model/canonical.ts"
import { stepOpcodes } from "./cost.ts"
import { specializedGru, specializedProjection } from "./specialized.ts"
import { hasCellCode, specializedCell } from "./cell.ts"
import { type CodePlan, layerPath } from "./paths.ts"
import { type FlashMatrixRef, unrolledGru, unrolledProjection } from "./unrolled.ts"
import { UserError, clip } from "../model/errors.ts"
import { deviceFeatures, residualInputs } from "../model/features.ts"
import { type Encoding, type PackedMatrix, hiddenBits, packMatrix, packVector } from "../model/quantize.ts"

/** The VM's limit for one `hex` literal. */
export const MAX_HEX_LITERAL_BYTES = 61_440

const ACT: Record<Activation, string> = {
    linear: "Act.Linear",
    relu: "Act.Relu",
    sigmoid: "Act.Sigmoid",
    hard_sigmoid: "Act.HardSigmoid",
    tanh: "Act.Tanh",
    softmax: "Act.Softmax",
}
const ENC: Record<Encoding, string> = { f32: "Enc.F32", i16: "Enc.I16", i8: "Enc.I8" }

export interface EmitOptions {
    encoding: Encoding
    /** Emit straight-line code with literal weights instead of flash matrices (true), or a path per layer (tools/src/emit/paths.ts). */
    specialize?: CodePlan
    /** Import path of src/index.ts as seen from the emitted file, without extension. */
    libraryImport: string
    /** Shown in the header comment. */
    source?: string
}

function hexLiteral(name: string, bytes: Uint8Array): string {
    if (bytes.length > MAX_HEX_LITERAL_BYTES)
        throw new UserError(`${name}: ${bytes.length} bytes exceed the ${MAX_HEX_LITERAL_BYTES}-byte limit of one hex literal; use a smaller encoding`)
    const hex = Buffer.from(bytes).toString("hex")
    const lines = hex.match(/.{1,96}/g) ?? [""]
    return `const ${name} = hex\`\n${lines.map(l => "    " + l).join("\n")}\n\``
}

class ModuleWriter {
    readonly decls: string[] = []

    constructor(
        private encoding: Encoding,
        private plan: CodePlan
    ) {}

    /** Layer i's affine part as emitted code (literal or unrolled flash), or null for flash matrices. */
    private specialized(l: Layer, i: number): string | null {
        if (layerPath(this.plan, i) !== "specialized") return this.unrolled(l, i)
        const name = `L${i}Proj`
        if (l.type === "gru") {
            this.decls.push(specializedGru(name, l, this.encoding))
            return `new ${name}()`
        }
        const affine =
            l.type === "dense"
                ? { Wx: l.W, Wh: null, bias: l.b.map(Math.fround) }
                : { Wx: l.Wx, Wh: l.Wh, bias: l.bx.map((b, r) => Math.fround(b) + Math.fround(l.bh[r])) }
        this.decls.push(specializedProjection(name, affine, this.encoding))
        return `new ${name}()`
    }

    /** Layer i's affine part as unrolled flash code over the literals flash matrices would use, or null. */
    private unrolled(l: Layer, i: number): string | null {
        if (layerPath(this.plan, i) !== "unrolled") return null
        const p = `L${i}_`
        const name = `L${i}Proj`
        if (l.type === "dense") {
            this.decls.push(unrolledProjection(name, { wx: this.flashMatrix(p + "W", l.W).ref, wh: null, bx: this.bias(p + "B", l.b), bh: null }))
        } else {
            const a = { wx: this.flashMatrix(p + "WX", l.Wx).ref, wh: this.flashMatrix(p + "WH", l.Wh).ref, bx: this.bias(p + "BX", l.bx), bh: this.bias(p + "BH", l.bh) }
            this.decls.push(l.type === "gru" ? unrolledGru(name, a, l.resetAfter) : unrolledProjection(name, a))
        }
        return `new ${name}()`
    }

    private bias(name: string, v: number[]): string | null {
        const b = this.vector(name, v)
        return b === "null" ? null : b
    }

    /** A flash matrix; one over MAX_HEX_LITERAL_BYTES goes in parts of whole rows (name, name_1, ...). */
    matrix(name: string, m: number[][]): string {
        return this.flashMatrix(name, m).expr
    }

    private flashMatrix(name: string, m: number[][]): { expr: string; ref: FlashMatrixRef } {
        const p: PackedMatrix = packMatrix(m, this.encoding, name)
        const rowBytes = p.data.length / Math.max(1, p.rows)
        const partRows = Math.max(1, Math.floor(MAX_HEX_LITERAL_BYTES / Math.max(1, rowBytes)))
        const parts: string[] = []
        for (let r = 0; r < Math.max(1, p.rows); r += partRows) {
            const part = parts.length ? `${name}_${parts.length}` : name
            this.decls.push(hexLiteral(part, p.data.subarray(r * rowBytes, Math.min(p.rows, r + partRows) * rowBytes)))
            parts.push(part)
        }
        let scales = "null"
        if (p.scales) {
            this.decls.push(hexLiteral(`${name}_S`, new Uint8Array(p.scales.buffer)))
            scales = `${name}_S`
        }
        const rest = parts.length > 1 ? `, [${parts.slice(1).join(", ")}]` : ""
        return {
            expr: `new Matrix(${name}, ${scales}, ${p.rows}, ${p.cols}, ${ENC[p.encoding]}${rest})`,
            ref: { parts, partRows, rows: p.rows, cols: p.cols, encoding: p.encoding, scales: p.scales ? scales : null },
        }
    }

    /** Biases stay f32 in every encoding: they are few and cost one add per row. */
    vector(name: string, v: number[]): string {
        if (v.every(x => x === 0)) return "null"
        this.decls.push(hexLiteral(name, packVector(v, name)))
        return name
    }

    layer(l: Layer, i: number): string {
        const p = `L${i}_`
        if (layerPath(this.plan, i) === "specialized" && hasCellCode(l)) {
            const cell = specializedCell(`L${i}Cell`, l, this.encoding)
            this.decls.push(cell.code)
            return cell.layer
        }
        const special = this.specialized(l, i)
        if (l.type === "dense")
            return `new Dense(${l.inputSize}, ${l.units}, ${special ?? `new Affine(${this.matrix(p + "W", l.W)}, null, ${this.vector(p + "B", l.b)}, null)`}, ${ACT[l.activation]})`
        const affine = () =>
            `new Affine(${[this.matrix(p + "WX", l.Wx), this.matrix(p + "WH", l.Wh), this.vector(p + "BX", l.bx), this.vector(p + "BH", l.bh)].join(", ")})`
        const gates = special ?? (l.type === "gru" ? `new GruAffine(${affine()}, ${l.resetAfter})` : affine())
        const args = [l.inputSize, l.units, gates, ACT[l.activation]]
        const bits = hiddenBits(l, this.encoding)
        const grid = bits ? `, ${bits}` : ""
        if (l.type === "rnn") return `new Rnn(${args.join(", ")}${grid})`
        if (l.type === "lstm") return `new Lstm(${args.join(", ")}, ${ACT[l.recurrentActivation]}${grid})`
        return `new Gru(${args.join(", ")}, ${ACT[l.recurrentActivation]}, ${l.resetAfter}${grid})`
    }
}

/**
 * DeviceScript source exporting `model`, the normalization constants, the
 * residual input per output (an index into the network's input: a reading,
 * or its seasonal value), the derived inputs with their state, the
 * prediction interval's offsets and the calibrated anomaly threshold (each
 * null when the model has none), and `scaling`, which bundles all but the
 * threshold.
 */
export function emitModule(model: CanonicalModel, opts: EmitOptions): string {
    const w = new ModuleWriter(opts.encoding, opts.specialize ?? false)
    const layers = model.layers.map((l, i) => "    " + w.layer(l, i))
    const opcodes = stepOpcodes(model, opts.encoding, (_, i) => layerPath(opts.specialize, i))
    const whole = (l: Layer, i: number) => layerPath(opts.specialize, i) === "specialized" && hasCellCode(l)
    const classes = new Set(model.layers.map((l, i) => (whole(l, i) ? "CompiledCell" : CLASS[l.type])))
    const used = ["Act", "Affine", "Enc", "Matrix", "Model", "Projection", "Scaling", "Derivation", ...classes, ...(classes.has("Gru") ? ["GruAffine", "GruProjection"] : []), ...(classes.has("CompiledCell") ? ["CellCode"] : [])]
    const norm = (name: string, v: number[] | undefined) =>
        `export const ${name}: number[] = ${v ? `[${v.join(", ")}]` : "null"}`
    return [
        `// Generated by dsrnn${opts.source ? ` from ${clip(opts.source, 100)}` : ""}, ${opts.encoding} weights. Do not edit.`,
        `import { ${used.sort().join(", ")} } from "${opts.libraryImport}"`,
        "",
        ...w.decls,
        "",
        `// ${opcodes} VM opcodes per step (tools/src/emit/cost.ts): Model.step runs it when that is within STEP_OPCODE_LIMIT`,
        `export const model = new Model([\n${layers.join(",\n")},\n], ${opcodes})`,
        norm("inputMean", model.inputNormalization?.mean),
        norm("inputStd", model.inputNormalization?.std),
        norm("outputMean", model.outputNormalization?.mean),
        norm("outputStd", model.outputNormalization?.std),
        `export const residual: number[] = ${model.residual ? `[${residualInputs(model)!.join(", ")}]` : "null"}`,
        `export const derived: Derivation = ${derivationSource(model)}`,
        `export const anomalyThreshold: number = ${model.anomaly ? model.anomaly.threshold : "null"}`,
        "/** The scaling above in one object, for predict(model, scaling), anomaly(model, anomalyThreshold, scaling) and Forecaster. */",
        norm("intervalLower", model.interval?.lower),
        norm("intervalUpper", model.interval?.upper),
        "export const scaling: Scaling = { inputMean, inputStd, outputMean, outputStd, residual, derived, intervalLower, intervalUpper }",
        "",
    ].join("\n")
}

/** The derived inputs and their state (src/features.ts; object literals have no shorthand properties in DeviceScript), or null. */
function derivationSource(model: CanonicalModel): string {
    const f = deviceFeatures(model)
    if (!f) return "null"
    const list = (v: number[] | null) => (v ? `[${v.join(", ")}]` : "null")
    return `new Derivation({ change: ${list(f.change)}, season: ${list(f.season)}, depth: ${f.depth}, seasonChange: ${list(f.seasonChange)}, lag: ${f.lag}, cycleMs: ${list(f.cycleMs)}, cycleOffsetMs: ${list(f.cycleOffsetMs)}, rowMs: ${f.rowMs} }, ${model.inputSize})`
}

const CLASS: Record<Layer["type"], string> = { rnn: "Rnn", lstm: "Lstm", gru: "Gru", dense: "Dense" }
