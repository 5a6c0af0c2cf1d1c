/**
 * Runs a model in the DeviceScript VM over a sequence of input rows: one
 * step per row from zero state, exactly as a device streams them. Inputs go
 * into the program as f64 hex literals (flash); a long sequence is split into
 * chunks that fit the image, and the model state is carried from one chunk to
 * the next with snapshot/restore.
 */
import type { CanonicalModel } from "../model/canonical.ts"
import { emitModule } from "../emit/emit.ts"
import type { Encoding } from "../model/quantize.ts"
import { VALUE_SENDER, readValues } from "./value-lines.ts"
import { runProgram } from "./vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "./workspace.ts"

/** Input bytes per chunk: well inside the ~110 KB image next to code and weights. */
const CHUNK_BYTES = 24_576

export interface SimulateOptions {
    encoding: Encoding
    specialize?: boolean
    /** Called after every chunk with the rows done so far. */
    onProgress?: (done: number, total: number) => void
    /** At most this many rows per chunk (default: as many as fit CHUNK_BYTES). */
    chunkRows?: number
}

/** Numbers snapshot() writes: h (and c for an LSTM) of every recurrent layer. */
export function stateSize(model: CanonicalModel): number {
    return model.layers.reduce((n, l) => n + (l.type === "lstm" ? 2 * l.units : l.type === "dense" ? 0 : l.units), 0)
}

function f64Bytes(values: number[]): Buffer {
    const buf = Buffer.alloc(8 * values.length)
    values.forEach((v, i) => buf.writeDoubleLE(v, 8 * i))
    return buf
}

function runnerSource(inputHex: string, rows: number, stateHex: string | null): string {
    return `import * as ds from "@devicescript/core"
import { STEP_MAC_LIMIT, denormalize, normalize, zeros } from "${WORKSPACE_LIBRARY}"
import { inputMean, inputStd, model, outputMean, outputStd } from "./model"

const INPUT = hex\`${inputHex}\`
const ROWS = ${rows}

${VALUE_SENDER}

async function main() {
    ${stateHex ? `model.restore(hex\`${stateHex}\`)` : "// zero state"}
    const x = zeros(model.inputSize)
    const y = zeros(model.outputSize)
    const useAsync = model.macs > STEP_MAC_LIMIT
    for (let t = 0; t < ROWS; t++) {
        for (let j = 0; j < model.inputSize; j++) x[j] = INPUT.getAt(8 * (t * model.inputSize + j), "f64")
        normalize(x, inputMean, inputStd)
        if (useAsync) await model.stepAsync(x, y)
        else model.step(x, y)
        denormalize(y, outputMean, outputStd)
        for (let j = 0; j < model.outputSize; j++) sendValue("Y", y[j])
        await ds.sleep(0)
    }
    endValues("Y")
    const state = Buffer.alloc(8 * model.stateSize)
    model.snapshot(state)
    for (let k = 0; k < model.stateSize; k++) sendValue("S", state.getAt(8 * k, "f64"))
    endValues("S")
    console.log("DONE")
}
await main()
`
}

/** Output rows the VM computes for `rows`, one per input row. */
export async function simulate(model: CanonicalModel, rows: number[][], opts: SimulateOptions): Promise<number[][]> {
    const perChunk = Math.max(1, Math.min(opts.chunkRows ?? Infinity, Math.floor(CHUNK_BYTES / (8 * model.inputSize))))
    const states = stateSize(model)
    const ws = new Workspace()
    const outputs: number[][] = []
    try {
        ws.write("model.ts", emitModule(model, { encoding: opts.encoding, specialize: opts.specialize, libraryImport: WORKSPACE_LIBRARY }))
        let state: string | null = null
        for (let start = 0; start < rows.length; start += perChunk) {
            const chunk = rows.slice(start, start + perChunk)
            ws.write("main.ts", runnerSource(f64Bytes(chunk.flat()).toString("hex"), chunk.length, state))
            const { binary } = await ws.build("main.ts")
            const { lines } = await runProgram(binary, { timeoutMs: 60_000 + 50 * chunk.length, done: l => l === "DONE" })
            const ys = readValues(lines, "Y", chunk.length * model.outputSize)
            for (let t = 0; t < chunk.length; t++) outputs.push(ys.slice(t * model.outputSize, (t + 1) * model.outputSize))
            state = f64Bytes(readValues(lines, "S", states)).toString("hex")
            opts.onProgress?.(outputs.length, rows.length)
        }
    } finally {
        ws.dispose()
    }
    return outputs
}
