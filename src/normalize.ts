/**
 * Input and output scaling a model was trained with. Arrays are null when the
 * model has none. In place, allocation-free.
 */

/** v = (v - mean) / std */
export function normalize(v: number[], mean: number[], std: number[]) {
    if (!mean) return
    for (let j = 0; j < mean.length; j++) v[j] = (v[j] - mean[j]) / std[j]
}

/** v = v * std + mean */
export function denormalize(v: number[], mean: number[], std: number[]) {
    if (!mean) return
    for (let j = 0; j < mean.length; j++) v[j] = v[j] * std[j] + mean[j]
}

/**
 * Residual models forecast a change: y[j] += the raw value of input
 * residual[j], recovered from the normalized x. residual is null for a model
 * that forecasts levels.
 */
export function addResidual(y: number[], x: number[], residual: number[], mean: number[], std: number[]) {
    if (!residual) return
    for (let j = 0; j < residual.length; j++) {
        const k = residual[j]
        y[j] += mean ? x[k] * std[k] + mean[k] : x[k]
    }
}
