/**
 * Imports a TensorFlow.js Layers model: the model.json plus binary weight
 * shards that tfjs `model.save()` writes and that tensorflowjs_converter makes
 * of a Keras model. Only Sequential stacks of SimpleRNN, LSTM, GRU and Dense
 * are accepted; anything else is refused by name rather than approximated.
 *
 * Keras kernels are [inputs, gates * units]; the canonical model wants one row
 * per output unit, so every kernel is transposed. Gate blocks keep the Keras
 * order, which is also the canonical one.
 */
import { readFile, realpath, stat } from "node:fs/promises"
import { dirname, isAbsolute, relative, resolve, sep } from "node:path"
import {
    type Activation,
    CANONICAL_FORMAT,
    CANONICAL_VERSION,
    type CanonicalModel,
    type DenseLayer,
    type Layer,
    type RecurrentLayer,
} from "../model/canonical.ts"
import { UnsupportedError, UserError, clip, quote } from "../core/errors.ts"
import { cleanName, validateModel } from "../model/validate.ts"
import { readJson } from "../core/json.ts"

interface WeightSpec {
    name: string
    shape: number[]
    dtype?: string
    quantization?: { dtype?: string }
}

/** One manifest entry with its bytes, still in the file's encoding. */
interface StoredWeight {
    spec: WeightSpec
    bytes: Uint8Array
}

type Config = Record<string, unknown>

interface KerasLayer {
    class_name: string
    config: Config
}

/** What converting one layer needs to know, and how to name it in errors. */
interface LayerContext {
    where: string
    config: Config
    /** The layer's weights by role: "kernel", "recurrent_kernel", "bias". */
    weights: Map<string, StoredWeight>
    /** Names of the manifest weights read so far, over all layers. */
    used: Set<string>
    kerasVersion: string
}

const GATES: Record<string, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 }

/** Identity at inference time. */
const IGNORED = new Set([
    "InputLayer",
    "Dropout",
    "SpatialDropout1D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
])

const ACTIVATIONS = new Map<string, Activation>([
    ["linear", "linear"],
    ["relu", "relu"],
    ["sigmoid", "sigmoid"],
    ["hard_sigmoid", "hard_sigmoid"],
    ["hardSigmoid", "hard_sigmoid"],
    ["tanh", "tanh"],
    ["softmax", "softmax"],
])

const DTYPE_BYTES: Record<string, number> = {
    float32: 4,
    int32: 4,
    float16: 2,
    uint16: 2,
    uint8: 1,
    bool: 1,
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v)
}

/** Error texts from fs and JSON.parse, flattened so the CLI prints one line. */
function reason(e: unknown): string {
    return clip(String(e instanceof Error ? e.message : e), 120)
}

function readModelJson(file: string): Record<string, unknown> {
    const json = readJson(file, "the model.json")
    if (!isObject(json))
        throw new UserError(`${file}: not a TensorFlow.js model.json`)
    return json
}

function sequentialLayers(
    file: string,
    json: Record<string, unknown>
): { name?: string; layers: KerasLayer[]; kerasVersion: string } {
    const topology = json.modelTopology
    if (json.format === "graph-model")
        throw new UnsupportedError(
            `${file}: is a TF.js graph model; dsrnn needs a Layers model (tfjs model.save(), or tensorflowjs_converter --output_format tfjs_layers_model)`
        )
    if (!isObject(topology))
        throw new UserError(`${file}: has no modelTopology`)
    // tensorflowjs_converter wraps the Keras config in model_config; tfjs does not.
    const model = isObject(topology.model_config)
        ? topology.model_config
        : topology
    if (model.class_name !== "Sequential")
        throw new UnsupportedError(
            `${file}: model class ${quote(model.class_name)} is not supported; only Sequential models are`
        )
    // Keras before 2.2.3 wrote the layer list as the config itself.
    const config = model.config
    const layers = Array.isArray(config)
        ? config
        : isObject(config)
          ? config.layers
          : undefined
    if (!Array.isArray(layers))
        throw new UserError(`${file}: the Sequential model has no layer list`)
    layers.forEach((l, i) => {
        if (
            !isObject(l) ||
            typeof l.class_name !== "string" ||
            !isObject(l.config) ||
            typeof l.config.name !== "string"
        )
            throw new UserError(
                `${file}: layer ${i} lacks class_name, config or name`
            )
    })
    const names = layers.map(l => l.config.name as string)
    const twice = names.find((n, i) => names.indexOf(n) !== i)
    // the second layer would read the first one's weights
    if (twice !== undefined)
        throw new UserError(`${file}: two layers are named "${clip(twice)}"`)
    const name = isObject(config) ? config.name : undefined
    return {
        name: typeof name === "string" ? cleanName(name) : undefined,
        layers: layers as KerasLayer[],
        kerasVersion:
            typeof topology.keras_version === "string"
                ? topology.keras_version
                : "",
    }
}

function byteSize(file: string, spec: WeightSpec): number {
    const dtype = spec.quantization?.dtype ?? spec.dtype ?? "float32"
    const bytes =
        typeof dtype === "string" && Object.hasOwn(DTYPE_BYTES, dtype)
            ? DTYPE_BYTES[dtype]
            : undefined
    if (!bytes)
        throw new UnsupportedError(
            `${file}: weight "${clip(spec.name)}" has dtype ${quote(dtype)}, which dsrnn cannot read`
        )
    return spec.shape.reduce((a, b) => a * b, 1) * bytes
}

function isWeightSpec(v: unknown): v is WeightSpec {
    return (
        isObject(v) &&
        typeof v.name === "string" &&
        Array.isArray(v.shape) &&
        v.shape.every(d => Number.isInteger(d) && d >= 0)
    )
}

/**
 * The shard files of one manifest group, checked before anything is read: a
 * model file may only read regular files inside its own folder (symbolic
 * links are followed first), and together they must hold `expected` bytes.
 */
async function readShards(
    file: string,
    paths: string[],
    expected: number
): Promise<Buffer> {
    const folder = await realpath(dirname(resolve(file)))
    const shown = clip(paths.join(", "), 80)
    const real: string[] = []
    let total = 0
    for (const p of paths) {
        const what = `${file}: weight shard ${quote(p)}`
        if (isAbsolute(p))
            throw new UserError(
                `${what} is an absolute path; a model only reads shards in its own folder`
            )
        let target: string
        try {
            target = await realpath(resolve(dirname(file), p))
        } catch (e) {
            throw new UserError(`${what} cannot be read (${errorCode(e)})`)
        }
        const rel = relative(folder, target)
        if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel))
            throw new UserError(
                `${what} is outside the model's folder; a model only reads shards in its own folder`
            )
        const info = await stat(target)
        if (!info.isFile())
            throw new UserError(`${what} is not a regular file`)
        real.push(target)
        total += info.size
    }
    if (total !== expected)
        throw new UserError(
            `${file}: weight shards ${shown} hold ${total} bytes, but the weightsManifest describes ${expected}`
        )
    try {
        return Buffer.concat(await Promise.all(real.map(p => readFile(p))))
    } catch (e) {
        throw new UserError(
            `${file}: cannot read weight shards ${shown} (${errorCode(e)})`
        )
    }
}

function errorCode(e: unknown): string {
    return (e as NodeJS.ErrnoException).code ?? reason(e)
}

/** Each manifest group's shards are one byte stream holding its weights in order. */
async function loadWeights(
    file: string,
    manifest: unknown
): Promise<Map<string, StoredWeight>> {
    if (!Array.isArray(manifest))
        throw new UserError(`${file}: has no weightsManifest`)
    const weights = new Map<string, StoredWeight>()
    for (const [g, group] of manifest.entries()) {
        if (
            !isObject(group) ||
            !Array.isArray(group.paths) ||
            !group.paths.every(p => typeof p === "string") ||
            !Array.isArray(group.weights) ||
            !group.weights.every(isWeightSpec)
        )
            throw new UserError(`${file}: weightsManifest[${g}] is malformed`)
        const specs = group.weights as WeightSpec[]
        const sizes = specs.map(s => byteSize(file, s))
        const expected = sizes.reduce((a, b) => a + b, 0)
        const data = await readShards(file, group.paths as string[], expected)
        let offset = 0
        specs.forEach((spec, i) => {
            if (weights.has(spec.name))
                throw new UserError(
                    `${file}: weight "${clip(spec.name)}" appears twice in the weightsManifest`
                )
            const bytes = data.subarray(offset, offset + sizes[i])
            weights.set(spec.name, { spec, bytes })
            offset += sizes[i]
        })
    }
    return weights
}

/**
 * tfjs names weights "<layer>/kernel", Keras "<layer>/<cell>/kernel:0"; the
 * role is the last path component either way.
 */
function weightsOf(
    all: Map<string, StoredWeight>,
    layerName: string
): Map<string, StoredWeight> {
    const mine = new Map<string, StoredWeight>()
    for (const [name, w] of all) {
        if (!name.startsWith(`${layerName}/`)) continue
        const role = name.split("/").pop()!.replace(/:\d+$/, "")
        mine.set(role, w)
    }
    return mine
}

/**
 * The float32 values of one weight, row-major over `shape`. An undefined
 * entry of `shape` accepts any size (the input width of the first layer when
 * the file does not declare it).
 */
function tensor(
    ctx: LayerContext,
    role: string,
    shape: (number | undefined)[]
): { shape: number[]; values: Float32Array } {
    const w = ctx.weights.get(role)
    if (!w)
        throw new UserError(
            `${ctx.where}: its weight "${role}" is missing from the weightsManifest`
        )
    const { spec } = w
    ctx.used.add(spec.name)
    const what = `${ctx.where}: weight "${clip(spec.name)}"`
    if (spec.quantization)
        throw new UnsupportedError(
            `${what} is quantized to ${quote(spec.quantization.dtype)}; dsrnn reads float32 weights (convert without --quantize_*)`
        )
    if ((spec.dtype ?? "float32") !== "float32")
        throw new UnsupportedError(
            `${what} has dtype ${quote(spec.dtype)}; dsrnn reads float32 weights only`
        )
    if (
        spec.shape.length !== shape.length ||
        spec.shape.some((d, i) => shape[i] !== undefined && d !== shape[i])
    )
        throw new UserError(
            `${what} has shape ${quote(spec.shape)}, expected [${shape.map(d => d ?? "?")}]`
        )
    const view = new DataView(
        w.bytes.buffer,
        w.bytes.byteOffset,
        w.bytes.byteLength
    )
    // Read through a DataView: a weight after 1- or 2-byte weights may be unaligned.
    const values = Float32Array.from(
        { length: w.bytes.byteLength / 4 },
        (_, i) => view.getFloat32(4 * i, true)
    )
    const bad = values.findIndex(v => !Number.isFinite(v))
    if (bad >= 0)
        throw new UserError(`${what} holds ${values[bad]} at index ${bad}`)
    return { shape: spec.shape, values }
}

/** A Keras kernel [rows, cols] as canonical rows, one per output: [cols][rows]. */
function transpose(
    values: Float32Array,
    rows: number,
    cols: number
): number[][] {
    return Array.from({ length: cols }, (_, c) =>
        Array.from({ length: rows }, (_, r) => values[r * cols + c])
    )
}

function units(ctx: LayerContext): number {
    const n = ctx.config.units
    if (!Number.isInteger(n) || (n as number) < 1)
        throw new UserError(`${ctx.where}: units is ${quote(n)}`)
    return n as number
}

function activation(ctx: LayerContext, key: string): Activation {
    const name = ctx.config[key]
    if (name === undefined)
        throw new UserError(`${ctx.where}: ${key} is missing`)
    const act = typeof name === "string" ? ACTIVATIONS.get(name) : undefined
    if (!act)
        throw new UnsupportedError(
            `${ctx.where}: ${key} ${quote(name)} is not supported (supported: ${[...new Set(ACTIVATIONS.values())].join(", ")})`
        )
    // Keras 3 redefined hard_sigmoid as relu6(x + 3) / 6; the device has the
    // Keras 2 / TF.js 0.2 x + 0.5 and would silently compute something else.
    if (act === "hard_sigmoid" && /^3\./.test(ctx.kerasVersion))
        throw new UnsupportedError(
            `${ctx.where}: ${key} hard_sigmoid of Keras ${ctx.kerasVersion} is not the 0.2 x + 0.5 dsrnn implements`
        )
    return act
}

/** [bx, bh] of a recurrent layer; Keras has one bias except GRU reset_after. */
function recurrentBiases(
    ctx: LayerContext,
    rows: number,
    resetAfter: boolean
): [number[], number[]] {
    const zeros = () => new Array<number>(rows).fill(0)
    if (ctx.config.use_bias === false) return [zeros(), zeros()]
    if (!resetAfter)
        return [Array.from(tensor(ctx, "bias", [rows]).values), zeros()]
    // r multiplies the recurrent bias, so reset_after keeps it apart: row 0 input, row 1 recurrent.
    const b = Array.from(tensor(ctx, "bias", [2, rows]).values)
    return [b.slice(0, rows), b.slice(rows)]
}

function convertRecurrent(
    ctx: LayerContext,
    cls: string,
    inputSize: number | undefined
): RecurrentLayer {
    for (const flag of ["go_backwards", "time_major"])
        if (ctx.config[flag] === true)
            throw new UnsupportedError(
                `${ctx.where}: ${flag}=true is not supported; the device streams forward one step at a time`
            )
    const n = units(ctx)
    const rows = GATES[cls] * n
    const kernel = tensor(ctx, "kernel", [inputSize, rows])
    const inputs = kernel.shape[0]
    const resetAfter = cls === "GRU" && ctx.config.reset_after === true
    const [bx, bh] = recurrentBiases(ctx, rows, resetAfter)
    const common = {
        inputSize: inputs,
        units: n,
        activation: activation(ctx, "activation"),
        Wx: transpose(kernel.values, inputs, rows),
        Wh: transpose(
            tensor(ctx, "recurrent_kernel", [n, rows]).values,
            n,
            rows
        ),
        bx,
        bh,
    }
    if (cls === "SimpleRNN") return { type: "rnn", ...common }
    const recurrentActivation = activation(ctx, "recurrent_activation")
    if (cls === "LSTM") return { type: "lstm", ...common, recurrentActivation }
    return { type: "gru", ...common, recurrentActivation, resetAfter }
}

function convertDense(
    ctx: LayerContext,
    inputSize: number | undefined
): DenseLayer {
    const n = units(ctx)
    const kernel = tensor(ctx, "kernel", [inputSize, n])
    const inputs = kernel.shape[0]
    return {
        type: "dense",
        inputSize: inputs,
        units: n,
        activation: activation(ctx, "activation"),
        W: transpose(kernel.values, inputs, n),
        b:
            ctx.config.use_bias === false
                ? new Array<number>(n).fill(0)
                : Array.from(tensor(ctx, "bias", [n]).values),
    }
}

/** Features per step, from the first layer's batch shape [batch, (steps,) features]. */
function declaredInputSize(
    file: string,
    first: KerasLayer | undefined
): number | undefined {
    const c = first?.config
    const shape = c?.batch_input_shape ?? c?.batchInputShape ?? c?.batch_shape
    if (shape === undefined || shape === null) return undefined
    const features = Array.isArray(shape) ? shape[shape.length - 1] : undefined
    if (!Number.isInteger(features) || features < 1)
        throw new UserError(
            `${file}: layer "${clip(c!.name as string)}" has input shape ${quote(shape)} without a feature count`
        )
    return features
}

export async function importTfjs(
    modelJsonPath: string
): Promise<CanonicalModel> {
    const file = modelJsonPath
    const json = readModelJson(file)
    const { name, layers, kerasVersion } = sequentialLayers(file, json)
    const weights = await loadWeights(file, json.weightsManifest)
    let size = declaredInputSize(file, layers[0])
    // A recurrent layer that returns only its last output cannot feed another one.
    let lastOnly: string | undefined
    const out: Layer[] = []
    const used = new Set<string>()
    for (const { class_name: cls, config } of layers) {
        const where = `${file}: layer "${clip(config.name as string)}" (${clip(cls)})`
        if (IGNORED.has(cls)) continue
        const ctx: LayerContext = {
            where,
            config,
            weights: weightsOf(weights, config.name as string),
            used,
            kerasVersion,
        }
        let layer: Layer
        if (Object.hasOwn(GATES, cls)) {
            if (lastOnly)
                throw new UserError(
                    `${where}: follows "${lastOnly}", which returns only its last output (return_sequences=false)`
                )
            layer = convertRecurrent(ctx, cls, size)
            if (config.return_sequences !== true)
                lastOnly = config.name as string
        } else if (cls === "Dense") {
            layer = convertDense(ctx, size)
        } else {
            throw new UnsupportedError(
                `${where}: this layer class is not supported (dsrnn imports SimpleRNN, LSTM, GRU and Dense, and skips ${[...IGNORED].join(", ")})`
            )
        }
        out.push(layer)
        size = layer.units
    }
    if (out.length === 0 || size === undefined)
        throw new UserError(
            `${file}: the model has no SimpleRNN, LSTM, GRU or Dense layer`
        )
    // TF.js refuses such a file too: a weight no layer reads means the
    // manifest and the topology disagree (e.g. use_bias: false with a bias)
    const unused = [...weights.keys()].find(n => !used.has(n))
    if (unused !== undefined)
        throw new UserError(
            `${file}: weight "${clip(unused)}" is in the weightsManifest, but no layer reads it (a layer with use_bias: false, or one that is not in the model)`
        )
    return validateModel({
        format: CANONICAL_FORMAT,
        version: CANONICAL_VERSION,
        ...(name === undefined ? {} : { name }),
        inputSize: out[0].inputSize,
        outputSize: size,
        layers: out,
    })
}
