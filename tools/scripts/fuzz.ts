/**
 * The long fuzz run: `npx tsx tools/scripts/fuzz.ts [cases per target] [seed]`
 * (default 20,000 cases per target and a seed from the clock). Prints the
 * seed first, then each target's count, so a failure can be replayed with
 * the same seed. npm test runs a short seeded run of the same fuzzer
 * (tools/test/fuzz/fuzz.test.ts).
 */
import { TARGETS, type Target, runFuzz } from "../test/helpers/fuzz/index.ts"

const perTarget = Number(process.argv[2] ?? 20_000)
const seed = Number(process.argv[3] ?? process.env.DSRNN_FUZZ_SEED ?? Date.now() % 2 ** 31)
console.log(`dsrnn fuzz: seed ${seed}, ${perTarget} cases per target`)
const started = Date.now()
const runs = Object.fromEntries(TARGETS.map(t => [t, perTarget])) as Record<Target, number>
try {
    const results = await runFuzz(seed, runs, r => console.log(`  ${r.target.padEnd(10)} ${r.cases} cases: ${r.refused} refused with one line, ${r.accepted} accepted as valid models with finite output (${((Date.now() - started) / 1000).toFixed(0)} s)`))
    const total = results.reduce((n, r) => n + r.cases, 0)
    console.log(`dsrnn fuzz: ${total} cases, 0 failures, seed ${seed}`)
} catch (e) {
    console.error((e as Error).message)
    console.error(`dsrnn fuzz: FAILED, seed ${seed}`)
    process.exit(1)
}
