/**
 * Writes firmware-tests/fixtures/*.g.ts: small models with seeded random
 * weights, emitted in each encoding, with inputs and the outputs the float64
 * reference computes for the same (quantized) weights, as f64 hex literals.
 * Run: npx tsx tools/scripts/gen-firmware-fixtures.ts (npm run fixtures);
 * with --check it writes nothing and exits 1 naming the committed files that
 * differ from what it would write (tools/test/emit/fixtures.test.ts), so an
 * emitter change cannot leave the firmware tests on stale programs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Activation, CanonicalModel, Layer } from "../src/model/canonical.ts"
import { emitModule } from "../src/emit/emit.ts"
import { type LayerPath, planModel } from "../src/emit/plan.ts"
import { type Encoding, quantizeModel } from "../src/model/quantize.ts"
import { seededRandom, randomMatrix } from "../src/model/random.ts"
import { ReferenceModel } from "../src/model/reference.ts"
import { PACKAGE_ROOT } from "../src/run/paths.ts"

const OUT_DIR = join(PACKAGE_ROOT, "firmware-tests", "fixtures")
const STEPS = 12

function recurrent(
    rand: () => number,
    type: "rnn" | "lstm" | "gru",
    inputSize: number,
    units: number,
    activation: Activation,
    extra: { recurrentActivation?: Activation; resetAfter?: boolean } = {}
): Layer {
    const g = type === "lstm" ? 4 : type === "gru" ? 3 : 1
    const base = {
        inputSize,
        units,
        activation,
        Wx: randomMatrix(rand, g * units, inputSize, 0.9),
        Wh: randomMatrix(rand, g * units, units, 0.9),
        bx: randomMatrix(rand, 1, g * units, 0.5)[0],
        bh: randomMatrix(rand, 1, g * units, 0.5)[0],
    }
    if (type === "rnn") return { type, ...base }
    if (type === "lstm") return { type, ...base, recurrentActivation: extra.recurrentActivation ?? "sigmoid" }
    return { type, ...base, recurrentActivation: extra.recurrentActivation ?? "sigmoid", resetAfter: extra.resetAfter ?? true }
}

function dense(rand: () => number, inputSize: number, units: number, activation: Activation): Layer {
    return {
        type: "dense",
        inputSize,
        units,
        activation,
        W: randomMatrix(rand, units, inputSize, 0.9),
        b: randomMatrix(rand, 1, units, 0.5)[0],
    }
}

function model(layers: Layer[]): CanonicalModel {
    return {
        format: "dsrnn-model",
        version: 1,
        inputSize: layers[0].inputSize,
        outputSize: layers[layers.length - 1].units,
        layers,
    }
}

const ALL: Encoding[] = ["f32", "i16", "i8"]
/**
 * A layer at the bound of i8's packed sums: every W_h weight is q = 127, so
 * once h is 1 each row's sum is 127 * 32 * 2^13 = 33,292,288, just below the
 * 2^25 the packing allows (hiddenBits in tools/src/model/quantize.ts). Large
 * inputs in the first steps (saturatedInputs) open i and o and fill c; then
 * f and c~ stay at 1 (bias 30), and o's bias of -9 against its W_h h of 16
 * holds o near 0.999, where h = o * tanh(c) shows any error in o's sum.
 */
function saturated(rand: () => number): Layer {
    const n = 32
    const l = recurrent(rand, "lstm", 3, n, "tanh")
    if (l.type !== "lstm") throw new Error("unreachable")
    const bias = [-16, 30, 30, -9]
    const kicked = (r: number) => r < n || r >= 3 * n
    return {
        ...l,
        Wx: l.Wx.map((row, r) => (kicked(r) ? row.map(() => 2) : row)),
        Wh: l.Wh.map(row => row.map(() => 0.5)),
        bx: l.bx.map((_, r) => bias[Math.floor(r / n)]),
        bh: l.bh.map(() => 0),
    }
}

function saturatedInputs(rand: () => number): number[][] {
    return randomMatrix(rand, STEPS, 3, 0.3).map((row, t) => (t < STEPS / 2 ? row.map(() => 4) : row))
}

const cases: {
    name: string
    encodings: Encoding[]
    /** The code of every layer; flash matrices when absent. */
    path?: LayerPath
    build: (r: () => number) => CanonicalModel
    inputs?: (r: () => number) => number[][]
}[] = [
    { name: "lstm", encodings: ALL, build: r => model([recurrent(r, "lstm", 3, 4, "tanh"), dense(r, 4, 1, "linear")]) },
    {
        name: "lstm_hard",
        encodings: ["f32"],
        build: r => model([recurrent(r, "lstm", 2, 3, "tanh", { recurrentActivation: "hard_sigmoid" })]),
    },
    { name: "gru_after", encodings: ALL, build: r => model([recurrent(r, "gru", 3, 4, "tanh", { resetAfter: true }), dense(r, 4, 1, "linear")]) },
    { name: "gru_before", encodings: ALL, build: r => model([recurrent(r, "gru", 3, 4, "tanh", { resetAfter: false }), dense(r, 4, 1, "linear")]) },
    { name: "rnn", encodings: ALL, build: r => model([recurrent(r, "rnn", 2, 3, "tanh"), dense(r, 3, 2, "linear")]) },
    { name: "rnn_relu", encodings: ["f32"], build: r => model([recurrent(r, "rnn", 2, 3, "relu")]) },
    {
        name: "stacked",
        encodings: ["f32", "i8"],
        build: r => model([recurrent(r, "lstm", 3, 5, "tanh"), recurrent(r, "gru", 5, 4, "tanh"), recurrent(r, "rnn", 4, 3, "tanh"), dense(r, 3, 3, "softmax")]),
    },
    {
        name: "heads",
        encodings: ["f32"],
        build: r => model([recurrent(r, "rnn", 2, 4, "tanh"), dense(r, 4, 4, "relu"), dense(r, 4, 3, "sigmoid"), dense(r, 3, 2, "tanh")]),
    },
    // Specialised code: 24 units make several blocks, so stepAsync slices the CompiledCell.
    { name: "lstm_cell", encodings: ["f32", "i8"], path: "literal-code", build: r => model([recurrent(r, "lstm", 3, 24, "tanh"), dense(r, 24, 1, "linear")]) },
    {
        name: "lstm_hard_cell",
        encodings: ["i8"],
        path: "literal-code",
        build: r => model([recurrent(r, "lstm", 3, 24, "tanh", { recurrentActivation: "hard_sigmoid" }), dense(r, 24, 1, "linear")]),
    },
    { name: "gru_cell", encodings: ["f32", "i8"], path: "literal-code", build: r => model([recurrent(r, "gru", 3, 23, "tanh"), dense(r, 23, 1, "linear")]) },
    { name: "rnn_cell", encodings: ["f32", "i8"], path: "literal-code", build: r => model([recurrent(r, "rnn", 3, 25, "tanh"), dense(r, 25, 2, "linear")]) },
    { name: "rnn_relu_cell", encodings: ["i8"], path: "literal-code", build: r => model([recurrent(r, "rnn", 3, 24, "relu"), dense(r, 24, 1, "linear")]) },
    { name: "saturated_cell", encodings: ["i8"], path: "literal-code", build: r => model([saturated(r), dense(r, 32, 1, "linear")]), inputs: saturatedInputs },
]

function f64Hex(name: string, rows: number[][]): string {
    const buf = Buffer.alloc(8 * rows.reduce((n, r) => n + r.length, 0))
    rows.flat().forEach((v, i) => buf.writeDoubleLE(v, 8 * i))
    return `export const ${name} = hex\`${buf.toString("hex")}\``
}

function fixtureName(name: string, enc: Encoding): string {
    return `${name}_${enc}`.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase())
}

/** File name in OUT_DIR -> the source it should hold. */
const files = new Map<string, string>()
cases.forEach((c, ci) => {
    const float = c.build(seededRandom(1000 + ci))
    const rand = seededRandom(2000 + ci)
    const inputs = c.inputs ? c.inputs(rand) : randomMatrix(rand, STEPS, float.inputSize, 2)
    for (const enc of c.encodings) {
        const expected = new ReferenceModel(quantizeModel(float, enc)).run(inputs)
        const source = [
            emitModule(planModel(float, enc, c.path ?? "flash-matrices"), { libraryImport: "../../src/index", source: `gen-firmware-fixtures.ts (${c.name})` }),
            `// Inputs and float64-reference outputs, ${STEPS} steps from zero state.`,
            f64Hex("inputs", inputs),
            f64Hex("expected", expected),
            // Namespace imports do not compile in DeviceScript; one unique name per fixture does.
            `export const ${fixtureName(c.name, enc)} = { model, inputs, expected }`,
            "",
        ].join("\n")
        files.set(`${c.name}_${enc}.g.ts`, source)
    }
})
// Activation grid: the device's pow-based sigmoid/tanh against float64 Math.
const grid = Array.from({ length: 801 }, (_, i) => -20 + i * 0.05)
files.set(
    "activations.g.ts",
    [
        "// Generated by gen-firmware-fixtures.ts: x in [-20, 20] and float64 sigmoid(x), tanh(x).",
        f64Hex("xs", [grid]),
        f64Hex("sigmoids", [grid.map(x => 1 / (1 + Math.exp(-x)))]),
        f64Hex("tanhs", [grid.map(Math.tanh)]),
        "",
    ].join("\n")
)
if (process.argv.includes("--check")) {
    const stale = [...files].filter(([name, source]) => !existsSync(join(OUT_DIR, name)) || readFileSync(join(OUT_DIR, name), "utf8") !== source).map(([name]) => name)
    if (stale.length > 0) {
        console.error(`stale fixtures in ${OUT_DIR} (run npm run fixtures): ${stale.join(", ")}`)
        process.exit(1)
    }
    console.log(`${files.size} fixtures up to date`)
} else {
    mkdirSync(OUT_DIR, { recursive: true })
    for (const [name, source] of files) writeFileSync(join(OUT_DIR, name), source)
    console.log(`wrote ${files.size - 1} fixtures and activations.g.ts to ${OUT_DIR}`)
}
