/**
 * How far ahead each output of a model forecasts. One number (`horizon`) for
 * every output, or a list (`horizons`, one per output) when the outputs are
 * the same column several rows ahead: `dsrnn train --horizon 1..3`.
 */
import type { CanonicalModel } from "./canonical.ts"

/** Rows ahead of each output, in output order. */
export function outputHorizons(model: CanonicalModel): number[] {
    return model.horizons ?? new Array<number>(model.outputSize).fill(model.horizon ?? 1)
}

/** "1..3" for consecutive horizons, "3" for one, "1,4" otherwise: how --horizon and the printouts name them. */
export function horizonText(horizons: number[]): string {
    const consecutive = horizons.every((h, j) => h === horizons[0] + j)
    return horizons.length > 1 && consecutive ? `${horizons[0]}..${horizons[horizons.length - 1]}` : horizons.join(",")
}
