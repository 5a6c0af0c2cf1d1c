/**
 * The short seeded fuzz run (the long one is tools/scripts/fuzz.ts): 10,000
 * generated and broken TF.js models, .onnx files, dsrnn models, CSVs and
 * command lines, each run in-process. Every case must end in a one-line
 * UserError of at most 300 characters, or in a valid model whose float64
 * reference output is finite (property.ts). DSRNN_FUZZ_SEED replays another
 * seed; a failure names the seed and the case.
 */
import { expect, it } from "vitest"
import { TARGETS, type Target, runFuzz } from "../helpers/fuzz/index.ts"

const SEED = Number(process.env.DSRNN_FUZZ_SEED ?? 20261127)
const RUNS: Record<Target, number> = { tfjs: 2000, onnx: 2400, canonical: 2000, csv: 2000, cli: 1600 }

it(`10,000 fuzz cases from seed ${SEED}: one-line refusals or valid models with finite output`, async () => {
    const results = await runFuzz(SEED, RUNS)
    expect(results.map(r => r.target)).toEqual([...TARGETS])
    expect(results.reduce((n, r) => n + r.cases, 0)).toBeGreaterThanOrEqual(10_000)
    // a generator that only makes files the first check refuses would test nothing else
    for (const r of results) {
        expect(r.cases, r.target).toBe(RUNS[r.target])
        expect(r.accepted, r.target).toBeGreaterThan(r.cases / 20)
        expect(r.refused, r.target).toBeGreaterThan(r.cases / 20)
    }
}, 180_000)
