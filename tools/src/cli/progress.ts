/**
 * Progress of long work on stderr: a live bar on a terminal, plain lines when
 * stderr is a file or a pipe, so logs stay readable. progressBar counts rows
 * (rows/s, ETA; a line every few seconds); epochProgress shows training
 * (epoch, losses, ETA; a line per epoch, also with --quiet).
 */
import { SingleBar } from "cli-progress"
import type { EpochReport } from "../train/train.ts"

/** Seconds between two plain lines when stderr is not a terminal. */
const PLAIN_EVERY_S = 5

export interface Progress {
    update(done: number): void
    stop(): void
}

export function progressBar(what: string, unit: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
    // Rates count from the first report, not from the start: set-up (a build) is not throughput.
    let first: { at: number; done: number } | undefined
    const rate = (done: number) => {
        first ??= { at: Date.now(), done }
        return Math.round((done - first.done) / Math.max(1e-3, (Date.now() - first.at) / 1000))
    }
    if (stream.isTTY) {
        const bar = new SingleBar({
            format: `${what} [{bar}] {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
            stream,
            hideCursor: true,
            etaBuffer: 50,
        })
        bar.start(total, 0, { rate: 0 })
        return {
            update: done => bar.update(done, { rate: rate(done) }),
            stop: () => bar.stop(),
        }
    }
    let printed: number | undefined
    return {
        update: done => {
            const perS = rate(done)
            printed ??= Date.now()
            if (done >= total || perS === 0 || Date.now() - printed < PLAIN_EVERY_S * 1000) return
            printed = Date.now()
            const eta = ((total - done) / perS).toFixed(0)
            stream.write(`${what}: ${done}/${total} ${unit}, ${perS} ${unit}/s, about ${eta} s left\n`)
        },
        stop: () => {},
    }
}

const mode = (r: EpochReport) => r.candidate
const fixed = (v: number) => v.toPrecision(4)

export interface EpochProgress {
    update(r: EpochReport): void
    stop(): void
}

export function epochProgress(stream: NodeJS.WriteStream, plain: boolean): EpochProgress {
    if (plain || !stream.isTTY)
        return {
            update: r => stream.write(`epoch ${r.epoch + 1}/${r.until} (${mode(r)}): loss ${fixed(r.loss)}, validation window loss ${fixed(r.windowLoss)}, streaming RMSE ${fixed(r.streamRmse)}\n`),
            stop: () => {},
        }
    let bar: SingleBar | undefined
    let current = ""
    return {
        update(r) {
            const run = `${mode(r)}-${r.until}`
            if (run !== current) {
                bar?.stop()
                current = run
                bar = new SingleBar({
                    stream,
                    format: `train ${mode(r)} |{bar}| epoch {value}/{total} | loss {loss} | val window {val} | stream RMSE {rmse} | ETA {eta_formatted}`,
                    hideCursor: true,
                })
                bar.start(r.until, r.epoch, { loss: "-", val: "-", rmse: "-" })
            }
            bar!.update(r.epoch + 1, { loss: fixed(r.loss), val: fixed(r.windowLoss), rmse: fixed(r.streamRmse) })
        },
        stop: () => bar?.stop(),
    }
}
