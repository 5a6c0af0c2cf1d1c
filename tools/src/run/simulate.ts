/**
 * Runs a model in the DeviceScript VM over a sequence of input rows: one
 * step per row from zero state, exactly as a device streams them. Inputs go
 * into the program as f64 hex literals (flash); a long sequence is split into
 * chunks that fit the image, and the model state is carried from one chunk to
 * the next with snapshot/restore.
 */
import type { CanonicalModel } from "../model/canonical.ts"
import { emitModule } from "../emit/emit.ts"
import { UserError } from "../model/errors.ts"
import type { Encoding } from "../model/quantize.ts"
import { runProgram } from "./vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "./workspace.ts"

/** Input bytes per chunk: well inside the ~110 KB image next to code and weights. */
const CHUNK_BYTES = 24_576

export interface SimulateOptions {
    encoding: Encoding
    specialize?: boolean
    /** Called after every chunk with the rows done so far. */
    onProgress?: (done: number, total: number) => void
}

function f64Bytes(values: number[]): Buffer {
    const buf = Buffer.alloc(8 * values.length)
    values.forEach((v, i) => buf.writeDoubleLE(v, 8 * i))
    return buf
}

function readF64(hex: string): number[] {
    const buf = Buffer.from(hex, "hex")
    return Array.from({ length: buf.length / 8 }, (_, i) => buf.readDoubleLE(8 * i))
}

function runnerSource(inputHex: string, rows: number, stateHex: string | null): string {
    return `import * as ds from "@devicescript/core"
import { STEP_MAC_LIMIT, addResidual, denormalize, normalize, zeros } from "${WORKSPACE_LIBRARY}"
import { inputMean, inputStd, model, outputMean, outputStd, residual } from "./model"

const INPUT = hex\`${inputHex}\`
const ROWS = ${rows}

async function main() {
    ${stateHex ? `model.restore(hex\`${stateHex}\`)` : "// zero state"}
    const x = zeros(model.inputSize)
    const y = zeros(model.outputSize)
    const out = Buffer.alloc(8 * model.outputSize)
    const useAsync = model.macs > STEP_MAC_LIMIT
    for (let t = 0; t < ROWS; t++) {
        for (let j = 0; j < model.inputSize; j++) x[j] = INPUT.getAt(8 * (t * model.inputSize + j), "f64")
        normalize(x, inputMean, inputStd)
        if (useAsync) await model.stepAsync(x, y)
        else model.step(x, y)
        denormalize(y, outputMean, outputStd)
        addResidual(y, x, residual, inputMean, inputStd)
        for (let j = 0; j < model.outputSize; j++) out.setAt(8 * j, "f64", y[j])
        console.log("Y " + out.toString("hex"))
        await ds.sleep(0)
    }
    const state = Buffer.alloc(8 * model.stateSize)
    model.snapshot(state)
    console.log("S " + state.toString("hex"))
    console.log("DONE")
}
await main()
`
}

/** Output rows the VM computes for `rows`, one per input row. */
export async function simulate(model: CanonicalModel, rows: number[][], opts: SimulateOptions): Promise<number[][]> {
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / (8 * model.inputSize)))
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
            const ys = lines.filter(l => l.startsWith("Y ")).map(l => readF64(l.slice(2)))
            if (ys.length !== chunk.length)
                throw new UserError(`the simulator produced ${ys.length} outputs for ${chunk.length} rows: ${lines.slice(-3).join(" | ")}`)
            outputs.push(...ys)
            state = lines.find(l => l.startsWith("S "))?.slice(2) ?? null
            opts.onProgress?.(outputs.length, rows.length)
        }
    } finally {
        ws.dispose()
    }
    return outputs
}
