/**
 * The declarations of one emitted module: weights as `hex` literals (flash
 * matrices, biases) and the classes of literal and unrolled code, in the
 * order the kernels (kernels/*.ts) ask for them.
 */
import { UserError } from "../core/errors.ts"
import { type Encoding, type PackedMatrix, packMatrix, packVector } from "../model/quantize.ts"
import type { FlashMatrixRef } from "./unrolled.ts"

/** The VM's limit for one `hex` literal. */
export const MAX_HEX_LITERAL_BYTES = 61_440

const ENC: Record<Encoding, string> = { f32: "Enc.F32", i16: "Enc.I16", i8: "Enc.I8" }

function hexLiteral(name: string, bytes: Uint8Array): string {
    if (bytes.length > MAX_HEX_LITERAL_BYTES)
        throw new UserError(`${name}: ${bytes.length} bytes exceed the ${MAX_HEX_LITERAL_BYTES}-byte limit of one hex literal; use a smaller encoding`)
    const hex = Buffer.from(bytes).toString("hex")
    const lines = hex.match(/.{1,96}/g) ?? [""]
    return `const ${name} = hex\`\n${lines.map(l => "    " + l).join("\n")}\n\``
}

export class ModuleWriter {
    readonly decls: string[] = []

    constructor(readonly encoding: Encoding) {}

    /** A flash matrix; one over MAX_HEX_LITERAL_BYTES goes in parts of whole rows (name, name_1, ...). */
    matrix(name: string, m: number[][]): string {
        return this.flashMatrix(name, m).expr
    }

    flashMatrix(name: string, m: number[][]): { expr: string; ref: FlashMatrixRef } {
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

    /** A bias literal's name, or null when the emitter leaves it out (all zero). */
    bias(name: string, v: number[]): string | null {
        const b = this.vector(name, v)
        return b === "null" ? null : b
    }
}
