/**
 * Progress of long work on stderr: a live bar (rows, rows/s, ETA) on a
 * terminal, and a plain line every few seconds when stderr is a file or a
 * pipe, so logs stay readable.
 */
import { SingleBar } from "cli-progress"

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
