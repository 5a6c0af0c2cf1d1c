import * as ds from "@devicescript/core"
import { Layer } from "./layer"
import { SLICE_MACS, STEP_OPCODE_LIMIT } from "./limits"

/**
 * Opcodes per step of a model built without the compiler's figure, per
 * multiply-add plus a constant: above what the flash-matrix path measures
 * (LSTM(4) to LSTM(24): 5,941 to 74,815 opcodes, 22 per multiply-add plus
 * 140 per activated number), so such a model never trips the watchdog.
 */
const FALLBACK_OPCODES_PER_MAC = 32
const FALLBACK_OPCODES_FIXED = 4000

/**
 * What each stepAsync call charges for its caller's own work between calls
 * (an observable chain, a sensor read), in multiply-add equivalents: a
 * burst of calls on tiny models still suspends now and then.
 */
export const CALL_OVERHEAD_MACS = 50

// Multiply-adds since stepAsync last suspended, across calls and models: the
// watchdog counts opcodes since the fiber last suspended, not per call, so a
// budget that restarted at every call let a synchronous burst of small steps
// (e.g. from(rows) piped into predict) run into the watchdog.
let sliceSpent = 0

/**
 * A stack of layers run one time step per call: one call per sensor sample.
 * State lives in the layers and persists between calls until reset().
 */
export class Model {
    inputSize: number
    outputSize: number
    /** Multiply-adds per step. */
    macs: number
    /** Numbers saved by snapshot(). */
    stateSize: number
    /** VM opcodes of one step: the compiler's figure for the code it emitted, or a safe estimate. */
    stepOpcodes: number

    /** `stepOpcodes`: what dsrnn compile measured for this model's code (0: estimate from the multiply-adds). */
    constructor(public layers: Layer[], stepOpcodes = 0) {
        if (layers.length === 0) throw new Error("Model: no layers")
        this.inputSize = layers[0].inputSize
        this.outputSize = layers[layers.length - 1].outputSize
        let macs = 0
        let stateSize = 0
        for (let i = 0; i < layers.length; i++) {
            const l = layers[i]
            if (i > 0 && l.inputSize !== layers[i - 1].outputSize)
                throw new Error(`Model: layer ${i} takes ${l.inputSize} inputs, layer ${i - 1} gives ${layers[i - 1].outputSize}`)
            for (let s = 0; s < l.stageRows.length; s++) macs += l.stageRows[s] * l.stageCols[s]
            for (let k = 0; k < l.state.length; k++) stateSize += l.state[k].length
        }
        this.macs = macs
        this.stateSize = stateSize
        this.stepOpcodes = stepOpcodes > 0 ? stepOpcodes : FALLBACK_OPCODES_PER_MAC * macs + FALLBACK_OPCODES_FIXED
    }

    /** Whether step() runs this model: one step within STEP_OPCODE_LIMIT. */
    fitsStep(): boolean {
        return this.stepOpcodes <= STEP_OPCODE_LIMIT
    }

    /** Runs one time step. Throws if the model is too large for one watchdog slice. */
    step(input: number[], output: number[]) {
        if (this.stepOpcodes > STEP_OPCODE_LIMIT)
            throw new Error(`Model: ${this.stepOpcodes} opcodes per step exceed ${STEP_OPCODE_LIMIT}; use stepAsync`)
        this.checkIo(input, output)
        const layers = this.layers
        let x = input
        for (let i = 0; i < layers.length; i++) {
            const l = layers[i]
            for (let s = 0; s < l.stageRows.length; s++) {
                l.project(s, x, 0, l.stageRows[s])
                l.update(s)
            }
            x = l.out
        }
        for (let j = 0; j < this.outputSize; j++) output[j] = x[j]
    }

    /**
     * Like step, but suspends whenever `sliceMacs` multiply-adds have run since
     * the last suspension, counted across calls, so any size and any rate of
     * calls is watchdog-safe.
     */
    async stepAsync(input: number[], output: number[], sliceMacs = SLICE_MACS) {
        this.checkIo(input, output)
        const layers = this.layers
        let x = input
        sliceSpent += CALL_OVERHEAD_MACS
        for (let i = 0; i < layers.length; i++) {
            const l = layers[i]
            for (let s = 0; s < l.stageRows.length; s++) {
                const rows = l.stageRows[s]
                const cols = l.stageCols[s]
                let row = 0
                while (row < rows) {
                    let n = Math.floor((sliceMacs - sliceSpent) / cols)
                    if (n < 1) {
                        await ds.sleep(0)
                        sliceSpent = 0
                        n = Math.max(1, Math.floor(sliceMacs / cols))
                    }
                    const end = Math.min(rows, row + n)
                    l.project(s, x, row, end)
                    sliceSpent += (end - row) * cols
                    row = end
                }
                l.update(s)
                sliceSpent += l.outputSize
            }
            x = l.out
        }
        for (let j = 0; j < this.outputSize; j++) output[j] = x[j]
    }

    /** Back to zero state, as before the first step. */
    reset() {
        for (let i = 0; i < this.layers.length; i++) this.layers[i].reset()
    }

    /** Writes the state as f64 values into buf (8 * stateSize bytes). */
    snapshot(buf: Buffer) {
        this.walkState(buf, true)
    }

    /** Restores a state written by snapshot(). */
    restore(buf: Buffer) {
        this.walkState(buf, false)
    }

    private walkState(buf: Buffer, save: boolean) {
        if (buf.length < 8 * this.stateSize)
            throw new Error(`Model: state needs ${8 * this.stateSize} bytes, buffer has ${buf.length}`)
        let off = 0
        for (let i = 0; i < this.layers.length; i++) {
            const state = this.layers[i].state
            for (let k = 0; k < state.length; k++) {
                const v = state[k]
                for (let j = 0; j < v.length; j++) {
                    if (save) buf.setAt(off, "f64", v[j])
                    else v[j] = buf.getAt(off, "f64")
                    off += 8
                }
            }
        }
    }

    // A NaN or infinite input would poison the state for good: refuse it.
    private checkIo(input: number[], output: number[]) {
        if (input.length !== this.inputSize)
            throw new Error(`Model: input has ${input.length} values, expected ${this.inputSize}`)
        if (output.length < this.outputSize)
            throw new Error(`Model: output has room for ${output.length} values, expected ${this.outputSize}`)
        for (let j = 0; j < this.inputSize; j++) {
            const v = input[j]
            if (!(Math.abs(v) < 1e308)) throw new Error(`Model: input[${j}] is not a finite number`)
        }
    }
}
