/** What `dsrnn train` says when it ends: how many epochs ran, which one the model keeps, and whether the cap cut it short. */
import type { CanonicalModel, TrainingRecord } from "../model/canonical.ts"
import { count } from "../core/wording.ts"

export function trainedLine(model: CanonicalModel, seconds: number): string {
    const r = model.training!
    return `trained ${model.layers.map(l => `${l.type}(${l.units})`).join(" > ")} on rows 1-${r.trainRows} in ${seconds.toFixed(0)} s: ${count(r.epochs.length, "epoch")}, best ${r.bestEpoch}`
}

/**
 * A hint when the best epoch is the last one: patience never ran out, so the
 * --epochs cap stopped a model that was still improving.
 */
export function epochCapHint(r: TrainingRecord, cap: number): string | undefined {
    if (r.bestEpoch !== r.epochs.length || r.epochs.length < cap) return undefined
    return `the best epoch is the last one (${r.bestEpoch} of --epochs ${cap}): the model was still improving; try --epochs ${cap * 2}`
}

/** A streaming RMSE within this share of persistence's is "like persistence". */
const PERSISTENCE_LIKE = 0.05

/**
 * A line when no epoch improved on the first one's streaming RMSE: the
 * model kept its barely trained first weights. In residual mode those
 * forecast a change near zero, i.e. persistence, which the line then says.
 */
export function notLearnedLine(r: TrainingRecord, streamRmse: number, persistenceRmse: number): string | undefined {
    if (r.bestEpoch !== 1 || r.epochs.length < 2) return undefined
    const like = Math.abs(streamRmse / persistenceRmse - 1) <= PERSISTENCE_LIKE
    return `the model did not learn: no epoch improved on the first one's streaming RMSE (${streamRmse.toPrecision(4)})${like ? `; it forecasts like persistence (RMSE ${persistenceRmse.toPrecision(4)} on the same rows)` : ""}`
}
