/**
 * Training progress on stderr: a cli-progress bar (epoch, losses, ETA) on a
 * terminal, one plain line per epoch when stderr is not a TTY or with --quiet.
 */
import { SingleBar } from "cli-progress"
import type { EpochReport } from "./train.ts"

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
