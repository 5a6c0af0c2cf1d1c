/**
 * `dsrnn train`: fits a recurrent network to the user's CSV and returns a
 * dsrnn model whose output is the target `horizon` rows ahead, in real units
 * (or one output per horizon, with --horizon 1..H).
 *
 * Trained for the way the device runs. The device steps forever from zero
 * state, so:
 * - every training window starts from zero state and every one of its rows is
 *   scored (sequence outputs), so the first steps after a reset are learned too;
 * - after each epoch the float model streams the whole validation part from
 *   zero state, as the device would, and that streaming RMSE picks the epoch
 *   and stops training early. The window loss is recorded next to it. With
 *   several horizons both are the RMSE over every horizon's forecasts, on the
 *   same rows: each horizon weighs the same.
 *
 * What the network forecasts and which derived inputs it sees are candidates
 * (candidates.ts), one network each, chosen on that streaming RMSE by
 * successive halving (select.ts).
 */
import * as tf from "@tensorflow/tfjs"
import { CANONICAL_FORMAT, CANONICAL_VERSION, type CanonicalModel, type Normalization, type SeasonalArima, type TrainingRecord } from "../model/canonical.ts"
import { seededRandom } from "../model/random.ts"
import { validateModel } from "../model/validate.ts"
import { derivedCount, deriveInputs, residualInputs } from "../model/features.ts"
import { type StatisticalFit, fitStatistical } from "./statistical.ts"
import { firstOrigin } from "../model/arima.ts"
import type { Columns } from "../io/columns.ts"
import { buildNetwork, networkToCanonical, streamNetwork, tfReady } from "./network.ts"
import { type ResolvedOptions, type TrainOptions, resolveTrainOptions } from "./options.ts"
import { type Candidate, candidateFeatures, candidateLabel, planCandidates } from "./candidates.ts"
import { type Selection, selectCandidate } from "./select.ts"

/** The user's rows; `times` (UTC ms per row) lets calendar inputs in (io/columns.ts gains it with the device's derived inputs). */
export type TrainData = Columns & { times?: number[] }

/** What train reports after each epoch. */
export interface EpochReport {
    residual: boolean
    /** The candidate training, e.g. "season, readings + change + season". */
    candidate: string
    epoch: number
    /** The epoch this run goes to: the budget of its round of the selection (select.ts). */
    until: number
    loss: number
    windowLoss: number
    streamRmse: number
}

export interface TrainResult {
    model: CanonicalModel
    /** The validation part, for evaluating the model as the device runs. */
    validation: { inputs: number[][]; target: number[]; times?: number[] }
    /** The candidates' streaming validation RMSEs and the choice (select.ts). */
    selection: Selection
    /** The season in rows and where it came from ("--period", "detected on the training rows"), null when none. */
    period: { rows: number | null; source: string }
    /** The statistical baseline fitted on the training rows (model.statistical), or why there is none. */
    statistical: StatisticalFit
    /** Persistence's RMSE on the validation part, next to the model's (a model that did not learn matches it). */
    persistenceRmse: number
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

/**
 * The output's normalization, from rows of one value per horizon. A change
 * (residual mode) is scaled but not centred: the training part's mean change
 * is a drift (a trend, or the half of a yearly cycle the training rows
 * cover) that need not go on, and with mean 0 an untrained network forecasts
 * no change, i.e. persistence or the seasonal naive forecast, and learns what
 * it adds to them. A level keeps each horizon's own mean. The scale is one,
 * pooled over the horizons (the root of the mean of their squared scales),
 * so the normalized loss is the RMSE over every horizon in real units up to
 * a constant, and the window loss and the streaming RMSE rank epochs alike.
 */
function outputNorm(rows: number[][], residual: boolean): Normalization {
    const { mean, std } = residual ? { mean: rows[0].map(() => 0), std: rows[0].map((_, j) => Math.sqrt(rows.reduce((s, r) => s + r[j] ** 2, 0) / rows.length)) } : meanStd(rows)
    const pooled = Math.sqrt(std.reduce((a, s) => a + s * s, 0) / std.length)
    return { mean, std: std.map(() => (pooled > 0 ? pooled : 1)) }
}

/** Rows of `target` each output forecasts from row t, t = 0 .. length - max(horizons) - 1: y[t][j] = target[t + horizons[j]]. */
function ahead(target: number[], horizons: number[]): number[][] {
    const n = target.length - Math.max(...horizons)
    return Array.from({ length: n }, (_, t) => horizons.map(h => target[t + h]))
}

/** Training pairs of one part: x_t normalized, and y_t the normalized output the model must give at row t. */
interface Part {
    x: number[][]
    y: number[][]
    /** Real-unit targets the outputs forecast at row t (one per horizon), and the value added back in residual mode. */
    actual: number[][]
    base: number[]
}

/** One part of the rows as the network sees it: derived inputs computed from its first row on (as a device starts fresh), and the value residual mode adds back at each row (0 for the level). */
interface Series {
    inputs: number[][]
    target: number[]
    base: number[]
}

function series(shape: CanonicalModel, data: TrainData, from: number, to: number, skip = 0): Series {
    const inputs = deriveInputs(shape, data.inputs.slice(from, to), data.times?.slice(from, to))
    const at = residualInputs(shape)?.[0] ?? -1
    return { inputs: inputs.slice(skip), target: data.target.slice(from + skip, to), base: inputs.slice(skip).map(r => (at < 0 ? 0 : r[at])) }
}

function makePart(s: Series, inNorm: Normalization, outNorm: Normalization, horizons: number[]): Part {
    const actual = ahead(s.target, horizons)
    const n = actual.length
    const x = s.inputs.slice(0, n).map(r => r.map((v, j) => (v - inNorm.mean[j]) / inNorm.std[j]))
    const base = s.base.slice(0, n)
    const y = actual.map((a, t) => a.map((v, j) => (v - base[t] - outNorm.mean[j]) / outNorm.std[j]))
    return { x, y, actual, base }
}

/** Windows of `len` rows starting at offset, offset + stride, ... */
function windows(part: Part, len: number, offset: number, stride = len): { x: number[][][]; y: number[][][] } {
    const x: number[][][] = []
    const y: number[][][] = []
    for (let s = offset; s + len <= part.x.length; s += stride) {
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

/** RMSE over every output of every row. */
function rmse(pred: number[][], actual: number[][]): number {
    return Math.sqrt(pred.reduce((s, p, t) => s + p.reduce((a, v, j) => a + (v - actual[t][j]) ** 2, 0), 0) / (pred.length * pred[0].length))
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
    private readonly scoredFrom: number
    private readonly optimizer: tf.AdamOptimizer
    private lastCut = -1

    constructor(
        data: TrainData,
        private readonly o: ResolvedOptions,
        /** The model this candidate becomes, without its layers: inputs, features, residual mode, period. */
        readonly shape: CanonicalModel,
        /** Rows at the start of each part before a season input holds a reading one season back (candidates.ts, warmUp). */
        warmUp: number
    ) {
        const train = series(shape, data, 0, o.trainRows, warmUp)
        // normalization covers the derived inputs: mean and std over the derived training rows
        this.inNorm = meanStd(train.inputs)
        this.outNorm = outputNorm(ahead(train.target, o.horizons).map((a, t) => a.map(v => v - train.base[t])), this.residual)
        this.train = makePart(train, this.inNorm, this.outNorm, o.horizons)
        this.val = makePart(series(shape, data, o.trainRows, data.inputs.length), this.inNorm, this.outNorm, o.horizons)
        // the validation part streams from its first row, as the device does, and is scored once the season input has its history
        this.scoredFrom = warmUp
        this.net = buildNetwork(o.layers, shape.inputSize, o.horizons.length, o.seed)
        this.optimizer = tf.train.adam(o.learningRate)
        this.net.compile({ optimizer: this.optimizer, loss: "meanSquaredError" })
        this.rand = seededRandom(o.seed)
        const scored = { ...this.val, x: this.val.x.slice(this.scoredFrom), y: this.val.y.slice(this.scoredFrom) }
        const valWindows = windows(scored, Math.min(o.window, scored.x.length), 0)
        this.valX = tf.tensor3d(valWindows.x)
        this.valY = tf.tensor3d(valWindows.y)
    }

    get residual(): boolean {
        return this.shape.residual !== undefined
    }

    get epochs(): number {
        return this.record.length
    }

    /** Patience ran out: no better streaming RMSE for `patience` epochs. */
    get stalled(): boolean {
        return this.epochs - 1 - this.best.epoch >= this.o.patience
    }

    async epoch(): Promise<Omit<EpochReport, "until" | "candidate">> {
        const { o, net } = this
        const w = windows(this.train, o.window, Math.floor(this.rand() * o.stride), o.stride)
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
        const pred = streamNetwork(net, this.val.x).map((r, t) => r.map((v, j) => v * std[j] + mean[j] + this.val.base[t]))
        const streamRmse = rmse(pred.slice(this.scoredFrom), this.val.actual.slice(this.scoredFrom))
        const epoch = this.epochs
        this.record.push({ loss: lossSum / batches, windowLoss, streamRmse })
        if (streamRmse < this.best.rmse) {
            tf.dispose(this.best.weights)
            this.best = { epoch, rmse: streamRmse, weights: net.getWeights().map(t => t.clone()) }
        } else if (o.lrDecay < 1 && epoch - Math.max(this.best.epoch, this.lastCut) >= o.lrPatience) {
            // Adam reads its rate at every step; lowering it in place keeps the moment estimates
            const opt = this.optimizer as unknown as { learningRate: number }
            opt.learningRate *= o.lrDecay
            this.lastCut = epoch
        }
        return { residual: this.residual, epoch, loss: lossSum / batches, windowLoss, streamRmse }
    }

    /** Window RMSE on the validation part in real units (over every horizon: their scale is one), at the best epoch. */
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

/** The model a candidate becomes, without its layers and normalization. */
function candidateShape(c: Candidate, data: TrainData, target: string, targetInput: number, horizons: number[], period: number | null, rowMs?: number, statistical?: SeasonalArima): CanonicalModel {
    const features = candidateFeatures(c, targetInput, rowMs)
    return {
        format: CANONICAL_FORMAT,
        version: CANONICAL_VERSION,
        inputSize: data.inputNames.length + derivedCount(features),
        outputSize: horizons.length,
        layers: [],
        inputNames: data.inputNames,
        outputNames: horizons.map(() => target),
        ...(horizons.length > 1 ? { horizons } : { horizon: horizons[0] }),
        ...(c.target !== "level" ? { residual: horizons.map(() => targetInput) } : {}),
        ...(c.target === "season" || c.target === "statistical" ? { residualBase: c.target } : {}),
        ...(statistical ? { statistical } : {}),
        ...(features ? { features } : {}),
        ...(period !== null ? { period } : {}),
    }
}

/** Trains on `data` (already read with the data policy) and returns the dsrnn model. */
export async function train(data: TrainData, opts: TrainOptions, command: string, onEpoch: (r: EpochReport) => void = () => {}): Promise<TrainResult> {
    const targetInput = data.inputNames.indexOf(opts.target)
    const o = resolveTrainOptions(opts, data.inputs.length, targetInput >= 0)
    const plan = planCandidates(data, opts.target, o)
    const { period, times, rowMs } = plan
    // the statistical baseline, fitted on the training rows before the networks: a candidate's input, and evaluate's baseline
    const fit = fitStatistical(data.target.slice(0, o.trainRows), period.rows)
    const statistical = "model" in fit ? fit.model : undefined
    const list = plan.candidates.filter(c => !c.inputs.statistical || statistical)
    // every candidate trains and is scored from the row of the statistical input's first forecast on, as from the season input's
    const warmUp = Math.max(plan.warmUp, statistical && list.some(c => c.inputs.statistical) ? firstOrigin(statistical) : 0)
    await tfReady()
    const trainers = list.map(c => new Trainer(data, o, candidateShape(c, data, opts.target, targetInput, o.horizons, period.rows, rowMs, statistical), warmUp))
    const runners = trainers.map((t, i) => ({
        label: candidateLabel(list[i]),
        get curve() {
            return t.record.map(e => e.streamRmse)
        },
        get stalled() {
            return t.stalled
        },
        async step(until: number) {
            onEpoch({ ...(await t.epoch()), until, candidate: candidateLabel(list[i]) })
        },
    }))
    const selection = await selectCandidate(runners, o.epochs)
    const chosen = trainers[selection.chosen]
    trainers.filter(t => t !== chosen).forEach(t => t.dispose())
    chosen.finish()
    const imported = await networkToCanonical(chosen.net)
    chosen.net.dispose()
    const c = list[selection.chosen]
    const model: CanonicalModel = {
        ...chosen.shape,
        name: `${opts.target}-${o.layers.map(l => `${l.type}${l.units}`).join("-")}`,
        inputSize: imported.inputSize,
        layers: imported.layers,
        inputNormalization: chosen.inNorm,
        outputNormalization: chosen.outNorm,
        training: {
            command,
            trainRows: o.trainRows,
            validationRows: data.inputs.length - o.trainRows,
            epochs: chosen.record,
            bestEpoch: chosen.best.epoch + 1,
            chosen: { target: c.target, derived: c.inputs },
            ...(selection.outcomes.length > 1 ? { candidates: selection.outcomes } : {}),
        },
    }
    const valTarget = data.target.slice(o.trainRows)
    const valAhead = ahead(valTarget, o.horizons)
    return {
        model: validateModel(model),
        validation: { inputs: data.inputs.slice(o.trainRows), target: valTarget, ...(times ? { times: times.slice(o.trainRows) } : {}) },
        selection,
        period,
        statistical: fit,
        persistenceRmse: rmse(valAhead.map((a, t) => a.map(() => valTarget[t])), valAhead),
        windowRmse: chosen.windowRmse,
        streamRmse: chosen.best.rmse,
    }
}
