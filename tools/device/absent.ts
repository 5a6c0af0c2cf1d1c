/**
 * The stand-in for a model module a timing program does not time (bench.ts,
 * bench-board.ts): copied as model.ts or naive.ts, so that the program builds
 * without that model's code and weights in its image. Never stepped.
 */
export const model: any = undefined
export const naive: any = undefined
