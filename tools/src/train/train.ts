/**
 * `dsrnn train`: fits a recurrent network to the user's CSV and returns a
 * dsrnn model whose output is the target `horizon` rows ahead, in real units.
 *
 * Trained for the way the device runs. The device steps forever from zero
 * state, so:
 * - every training window starts from zero state and every one of its rows is
 *   scored (sequence outputs), so the first steps after a reset are learned too;
 * - after each epoch the float model streams the whole validation part from
 *   zero state, as the device would, and that streaming RMSE picks the epoch
 *   and stops training early. The window loss is recorded next to it.
 */
import * as tf from "@tensorflow/tfjs"
import { CANONICAL_FORMAT, CANONICAL_VERSION, type CanonicalModel, type Normalization, type TrainingRecord } from "../model/canonical.ts"
import { seededRandom } from "../model/random.ts"
import { validateModel } from "../model/validate.ts"
import type { Columns } from "../io/columns.ts"
import { buildNetwork, networkToCanonical, streamNetwork, tfReady } from "./network.ts"
import { type ResolvedOptions, type TrainOptions, resolveTrainOptions } from "./options.ts"

/** What train reports after each epoch. */
export interface EpochReport {
    residual: boolean
    epoch: number
    /** The epoch this run goes to (a --residual auto probe stops early). */
    until: number
    loss: number
    windowLoss: number
    streamRmse: number
}

export interface TrainResult {
    model: CanonicalModel
    /** The validation part, for evaluating the model as the device runs. */
    validation: { inputs: number[][]; target: number[] }
    /** With --residual auto: each mode's best streaming validation RMSE in the first epochs, which chose the mode. */
    residualChoice?: { on: number; off: number }
    /** Window RMSE on the validation part (real units) at the chosen epoch, next to the streaming one. */
    windowRmse: number
    streamRmse: number
}

function meanStd(rows: number[][]): Normalization {
    const n = rows.length
    const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / n)
    const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / n))
    // a constant column carries no information; std 1 keeps the division defined
    return { mean, std: std.map(s => (s > 0 ? s : 1)) }
}

/** Training pairs of one part: x_t normalized, and y_t the normalized output the model must give at row t. */
interface Part {
    x: number[][]
    y: number[][]
    /** Real-unit target the output forecasts at row t, and the value added back in residual mode. */
    actual: number[]
    base: number[]
}

function makePart(inputs: number[][], target: number[], inNorm: Normalization, outNorm: Normalization, horizon: number, residual: boolean): Part {
    const n = inputs.length - horizon
    const x = inputs.slice(0, n).map(r => r.map((v, j) => (v - inNorm.mean[j]) / inNorm.std[j]))
    const actual = target.slice(horizon)
    const base = residual ? target.slice(0, n) : new Array<number>(n).fill(0)
    const y = actual.map((a, t) => [(a - base[t] - outNorm.mean[0]) / outNorm.std[0]])
    return { x, y, actual, base }
}

/** Windows of `len` rows starting at offset, offset + len, ...; a row belongs to one window per epoch. */
function windows(part: Part, len: number, offset: number): { x: number[][][]; y: number[][][] } {
    const x: number[][][] = []
    const y: number[][][] = []
    for (let s = offset; s + len <= part.x.length; s += len) {
        x.push(part.x.slice(s, s + len))
        y.push(part.y.slice(s, s + len))
    }
    return { x, y }
}

function shuffle<T>(items: T[], rand: () => number): T[] {
    const a = items.slice()
    for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1))
        ;[a[i], a[j]] = [a[j], a[i]]
    }
    return a
}

function rmse(pred: number[], actual: number[]): number {
    return Math.sqrt(pred.reduce((s, p, t) => s + (p - actual[t]) ** 2, 0) / pred.length)
}

/** One network in training, epoch by epoch, keeping the weights of its best streaming epoch. */
class Trainer {
    readonly inNorm: Normalization
    readonly outNorm: Normalization
    readonly record: TrainingRecord["epochs"] = []
    readonly net: tf.Sequential
    best = { epoch: -1, rmse: Infinity, weights: [] as tf.Tensor[] }
    private readonly train: Part
    private readonly val: Part
    private readonly valX: tf.Tensor3D
    private readonly valY: tf.Tensor3D
    private readonly rand: () => number

    constructor(
        data: Columns,
        private readonly o: ResolvedOptions,
        readonly residual: boolean
    ) {
        const trainInputs = data.inputs.slice(0, o.trainRows)
        const trainTarget = data.target.slice(0, o.trainRows)
        this.inNorm = meanStd(trainInputs)
        this.outNorm = meanStd(trainTarget.slice(o.horizon).map((a, t) => [residual ? a - trainTarget[t] : a]))
        this.train = makePart(trainInputs, trainTarget, this.inNorm, this.outNorm, o.horizon, residual)
        this.val = makePart(data.inputs.slice(o.trainRows), data.target.slice(o.trainRows), this.inNorm, this.outNorm, o.horizon, residual)
        this.net = buildNetwork(o.layers, data.inputs[0].length, 1, o.seed)
        this.net.compile({ optimizer: tf.train.adam(o.learningRate), loss: "meanSquaredError" })
        this.rand = seededRandom(o.seed)
        const valWindows = windows(this.val, Math.min(o.window, this.val.x.length), 0)
        this.valX = tf.tensor3d(valWindows.x)
        this.valY = tf.tensor3d(valWindows.y)
    }

    get epochs(): number {
        return this.record.length
    }

    /** Patience ran out: no better streaming RMSE for `patience` epochs. */
    get stalled(): boolean {
        return this.epochs - 1 - this.best.epoch >= this.o.patience
    }

    async epoch(): Promise<Omit<EpochReport, "until">> {
        const { o, net } = this
        const w = windows(this.train, o.window, Math.floor(this.rand() * o.window))
        const order = shuffle(w.x.map((_, i) => i), this.rand)
        // small files give few windows: smaller batches keep at least MIN_STEPS gradient steps per epoch
        const batchSize = Math.min(o.batchSize, Math.max(1, Math.ceil(order.length / MIN_STEPS)))
        let lossSum = 0
        let batches = 0
        for (let b = 0; b < order.length; b += batchSize) {
            const idx = order.slice(b, b + batchSize)
            const xs = tf.tensor3d(idx.map(i => w.x[i]))
            const ys = tf.tensor3d(idx.map(i => w.y[i]))
            lossSum += (await net.trainOnBatch(xs, ys)) as number
            batches++
            tf.dispose([xs, ys])
        }
        const windowLoss = tf.tidy(() => (net.evaluate(this.valX, this.valY) as tf.Scalar).dataSync()[0])
        const { mean, std } = this.outNorm
        const pred = streamNetwork(net, this.val.x).map((r, t) => r[0] * std[0] + mean[0] + this.val.base[t])
        const streamRmse = rmse(pred, this.val.actual)
        const epoch = this.epochs
        this.record.push({ loss: lossSum / batches, windowLoss, streamRmse })
        if (streamRmse < this.best.rmse) {
            tf.dispose(this.best.weights)
            this.best = { epoch, rmse: streamRmse, weights: net.getWeights().map(t => t.clone()) }
        }
        return { residual: this.residual, epoch, loss: lossSum / batches, windowLoss, streamRmse }
    }

    /** Window RMSE on the validation part in real units, at the best epoch. */
    get windowRmse(): number {
        return Math.sqrt(this.record[this.best.epoch].windowLoss) * this.outNorm.std[0]
    }

    /** Puts the best epoch's weights back and frees the rest. */
    finish(): void {
        this.net.setWeights(this.best.weights)
        tf.dispose([this.valX, this.valY, ...this.best.weights])
    }

    dispose(): void {
        this.finish()
        this.net.dispose()
    }
}

/** Gradient steps per epoch at least, when there are enough windows. */
const MIN_STEPS = 8

/** Epochs each mode gets before --residual auto keeps the better one. */
const AUTO_PROBE_EPOCHS = 8

/** Trains on `data` (already read with the data policy) and returns the dsrnn model. */
export async function train(data: Columns, opts: TrainOptions, command: string, onEpoch: (r: EpochReport) => void = () => {}): Promise<TrainResult> {
    const targetInput = data.inputNames.indexOf(opts.target)
    const o = resolveTrainOptions(opts, data.inputs.length, targetInput >= 0)
    await tfReady()
    const trainers = (o.residual === "auto" ? [false, true] : [o.residual === "on"]).map(r => new Trainer(data, o, r))
    const run = async (t: Trainer, until: number) => {
        while (t.epochs < until && !t.stalled) onEpoch({ ...(await t.epoch()), until })
    }
    for (const t of trainers) await run(t, trainers.length > 1 ? Math.min(AUTO_PROBE_EPOCHS, o.epochs) : o.epochs)
    const probe = trainers.map(t => t.best.rmse)
    const chosen = trainers.length === 2 && probe[1] < probe[0] ? trainers[1] : trainers[0]
    trainers.filter(t => t !== chosen).forEach(t => t.dispose())
    await run(chosen, o.epochs)
    chosen.finish()
    const residual = chosen.residual
    const imported = await networkToCanonical(chosen.net)
    chosen.net.dispose()
    const model: CanonicalModel = {
        format: CANONICAL_FORMAT,
        version: CANONICAL_VERSION,
        name: `${opts.target}-${o.layers.map(l => `${l.type}${l.units}`).join("-")}`,
        inputSize: imported.inputSize,
        outputSize: 1,
        layers: imported.layers,
        inputNormalization: chosen.inNorm,
        outputNormalization: chosen.outNorm,
        inputNames: data.inputNames,
        outputNames: [opts.target],
        horizon: o.horizon,
        ...(residual ? { residual: [targetInput] } : {}),
        training: { command, trainRows: o.trainRows, validationRows: data.inputs.length - o.trainRows, epochs: chosen.record, bestEpoch: chosen.best.epoch + 1 },
    }
    return {
        model: validateModel(model),
        validation: { inputs: data.inputs.slice(o.trainRows), target: data.target.slice(o.trainRows) },
        residualChoice: trainers.length === 2 ? { off: probe[0], on: probe[1] } : undefined,
        windowRmse: chosen.windowRmse,
        streamRmse: chosen.best.rmse,
    }
}
