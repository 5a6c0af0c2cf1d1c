/**
 * The part of the ONNX operator schemas dsrnn checks before it evaluates a
 * node: which attributes and how many inputs each supported op has, in the
 * opsets dsrnn reads. ONNX Runtime refuses a node that breaks its schema (a
 * misspelled `hidden_size`, an opset-13 Unsqueeze in an opset-11 file), so
 * the importer does too instead of reading it with the wrong meaning.
 */
import { UnsupportedError, UserError, quote } from "../../core/errors.ts"
import type { NodeProto } from "./file.ts"

/**
 * The default-domain opsets dsrnn reads: from 7, where Add and Mul broadcast
 * without attributes, to 26, the newest ONNX Runtime 1.30 (the test oracle)
 * guarantees.
 */
export const OPSETS = { min: 7, max: 26 }

/** IR versions: 3 introduced opset imports; ONNX Runtime 1.30 reads up to 13. */
export const IR_VERSIONS = { min: 3, max: 13 }

interface Schema {
    attributes: (opset: number) => readonly string[]
    /** Fewest and most inputs, counting empty names of skipped optional ones. */
    inputs: (opset: number) => readonly [number, number]
}

const always =
    <T>(v: T) =>
    () =>
        v
const until = <T>(version: number, before: T, after: T) => (opset: number) => (opset < version ? before : after)

const NONE: readonly string[] = []
const UNARY = { attributes: always(NONE), inputs: always([1, 1] as const) }
const BINARY = { attributes: always(NONE), inputs: always([2, 2] as const) }
const RECURRENT = ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size"]
const recurrent = (extra: string[], maxInputs: number): Schema => ({
    attributes: until(14, [...RECURRENT, ...extra], [...RECURRENT, ...extra, "layout"]),
    inputs: always([3, maxInputs] as const),
})

export const SCHEMAS: Record<string, Schema> = {
    Identity: UNARY,
    Constant: {
        attributes: always(["value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings", "sparse_value"]),
        inputs: always([0, 0] as const),
    },
    Shape: { attributes: always(["start", "end"]), inputs: always([1, 1] as const) },
    Gather: { attributes: always(["axis"]), inputs: always([2, 2] as const) },
    Slice: { attributes: until(10, ["starts", "ends", "axes"], NONE), inputs: until(10, [1, 1] as const, [3, 5] as const) },
    Concat: { attributes: always(["axis"]), inputs: always([1, Infinity] as const) },
    Unsqueeze: { attributes: until(13, ["axes"], NONE), inputs: until(13, [1, 1] as const, [2, 2] as const) },
    Squeeze: { attributes: until(13, ["axes"], NONE), inputs: until(13, [1, 1] as const, [1, 2] as const) },
    Reshape: { attributes: until(14, NONE, ["allowzero"]), inputs: always([2, 2] as const) },
    Flatten: { attributes: always(["axis"]), inputs: always([1, 1] as const) },
    Transpose: { attributes: always(["perm"]), inputs: always([1, 1] as const) },
    Cast: { attributes: until(19, ["to"], ["to", "saturate", "round_mode"]), inputs: always([1, 1] as const) },
    ConstantOfShape: { attributes: always(["value"]), inputs: always([1, 1] as const) },
    Expand: BINARY,
    Add: BINARY,
    Sub: BINARY,
    Mul: BINARY,
    Div: BINARY,
    MatMul: BINARY,
    Gemm: { attributes: always(["alpha", "beta", "transA", "transB"]), inputs: until(11, [3, 3] as const, [2, 3] as const) },
    Relu: UNARY,
    Tanh: UNARY,
    Sigmoid: UNARY,
    HardSigmoid: { attributes: always(["alpha", "beta"]), inputs: always([1, 1] as const) },
    Softmax: { attributes: always(["axis"]), inputs: always([1, 1] as const) },
    RNN: recurrent([], 6),
    LSTM: recurrent(["input_forget"], 8),
    GRU: recurrent(["linear_before_reset"], 6),
}

/** The schema of a supported op (own properties only). */
export function schemaOf(op: string): Schema | undefined {
    return Object.hasOwn(SCHEMAS, op) ? SCHEMAS[op] : undefined
}

/** Refuses a node whose attributes or input count its op does not have in this opset. */
export function checkNode(node: NodeProto, schema: Schema, opset: number): void {
    const allowed = schema.attributes(opset)
    for (const a of node.attribute ?? [])
        if (!allowed.includes(a.name ?? ""))
            throw new UserError(`has attribute ${quote(a.name ?? "")}, which ${node.opType} does not have in opset ${opset}${allowed.length ? ` (it has ${allowed.join(", ")})` : ""}`)
    const [min, max] = schema.inputs(opset)
    const n = node.input?.length ?? 0
    if (n < min || n > max)
        throw new UserError(`has ${n} inputs, but ${node.opType} takes ${min === max ? min : max === Infinity ? `${min} or more` : `${min} to ${max}`} in opset ${opset}`)
}

/** The model's IR version and default opset must be ones dsrnn reads. */
export function checkVersions(irVersion: number, opset: number): void {
    if (irVersion < IR_VERSIONS.min || irVersion > IR_VERSIONS.max)
        throw new UnsupportedError(`IR version ${irVersion} is not supported (dsrnn reads ${IR_VERSIONS.min} to ${IR_VERSIONS.max}); re-export with torch.onnx.export(..., opset_version=17)`)
    if (opset < OPSETS.min || opset > OPSETS.max)
        throw new UnsupportedError(`opset ${opset} is not supported (dsrnn reads opsets ${OPSETS.min} to ${OPSETS.max}); re-export with torch.onnx.export(..., opset_version=17)`)
}
