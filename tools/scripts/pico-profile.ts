/**
 * Where the cycles of a step go on the DeviceScript firmware (emulated Pico):
 * LSTM(units) + Dense(1), 3 inputs, on each code path (the naive baseline of
 * `dsrnn bench`, flash matrices, unrolled flash, literal code: the LSTM
 * emitted whole), each in its own module of one program bundled into the
 * committed firmware, run in one emulation. Prints cycles per step, ms and
 * steps/s at 125 MHz, and the share of each step's cycles by group and by
 * function (tools/src/pico/profile.ts says how cycles are grouped).
 *
 * Each path is stepped STEPS + 1 times between marker lines (the first step,
 * from the zero state, is left out); a collection is forced before each step
 * (as tools/test/pico/step-counts.test.ts does), so its cost is not in any
 * step, while the allocations of a step are. Figures are emulated: the flash
 * (XIP) cache is not modelled, so a real board is somewhat slower.
 *
 * Run: npx tsx tools/scripts/pico-profile.ts [--weights i8|i16|f32] [--paths naive,flash-matrices,unrolled-flash,literal-code] [--top N] [--steps N] [units...]   (default: 32)
 */
import { emitModule } from "../src/emit/emit.ts"
import { emitNaiveModule } from "../src/emit/naive.ts"
import { type LayerPath, planModel } from "../src/emit/plan.ts"
import { SPECIALIZED_MAX_MACS } from "../src/emit/specialized.ts"
import { macsPerStep } from "../src/model/canonical.ts"
import type { Encoding } from "../src/model/quantize.ts"
import { randomLstmModel } from "../src/model/random.ts"
import { PICO_HZ, runOnPico } from "../src/pico/emulator.ts"
import { bootromB1 } from "../src/pico/firmware.ts"
import { GROUPS, type Profile, Profiler } from "../src/pico/profile.ts"
import { bundleForPico } from "../src/pico/program.ts"
import { WORKSPACE_LIBRARY, Workspace } from "../src/run/workspace.ts"
import { getBoard } from "../src/board/boards.ts"

const SEED = 1
const OPEN = "["
const CLOSE = "]"

const args = process.argv.slice(2)
const option = (name: string) => {
    const at = args.indexOf(name)
    return at >= 0 ? args.splice(at, 2)[1] : undefined
}
/** Steps measured per path, after a first one. */
const STEPS = Number(option("--steps") ?? 2)
const encoding = (option("--weights") ?? "i8") as Encoding
const top = Number(option("--top") ?? 6)
const pathList = (option("--paths") ?? "naive,flash-matrices,unrolled-flash,literal-code").split(",")
const sizes = args.filter(a => !a.startsWith("--")).map(Number)
if (sizes.length === 0) sizes.push(32)

interface Variant {
    name: string
    module: string
    /** The module's export: `naive` or `model`. */
    value: string
    source: string
    /** The image of the module alone, library included (devs build). */
    imageBytes: number
}

interface Window {
    profile: Profile
    cycles: number
    opcodes: number
}

/** The entry program of one image: the markers' empty window, then each variant's steps. */
function entrySource(variants: Variant[]): string {
    // The firmware collects once a quarter of its heap (16 KB) was allocated since the last collection:
    // 18 KB of buffers and one more allocation make it collect before a step, not in it. Small
    // buffers, because the naive model's arrays leave only about 6 KB free (measured: 59 KB used).
    return `import * as ds from "@devicescript/core"
import { nextInput, x, y } from "./bench-input"
${variants.map((v, i) => `import { ${v.value} as v${i} } from "./${v.module}"`).join("\n")}
function collect() {
    for (let i = 0; i < 40; i++) Buffer.alloc(450)
    Buffer.alloc(0)
}
collect()
console.log("empty")
console.log("${OPEN}")
console.log("${CLOSE}")
${variants
    .map(
        (v, i) => `console.log("${v.name}")
for (let t = 0; t <= ${STEPS}; t++) {
    nextInput()
    collect()
    console.log("${OPEN}")
    ${v.value === "naive" ? `v${i}.step(x, y)` : `if (v${i}.fitsStep()) v${i}.step(x, y)
    else await v${i}.stepAsync(x, y)`}
    console.log("${CLOSE}")
    await ds.sleep(0)
}`
    )
    .join("\n")}
console.log("DONE")
`
}

/** Bundles `variants` into the firmware and runs them in one emulation; the windows by section (the line before them names it). */
async function runImage(variants: Variant[]): Promise<Map<string, Window[]>> {
    const ws = new Workspace()
    let uf2: Uint8Array
    try {
        for (const v of variants) ws.write(`${v.module}.ts`, v.source)
        const entry = ws.program("main.ts", { INPUT_SIZE: 3, OUTPUT_SIZE: 1 })
        ws.write(entry, entrySource(variants))
        uf2 = await bundleForPico(ws, entry)
    } finally {
        ws.dispose()
    }
    const sections = new Map<string, Window[]>()
    let section: Window[] = []
    let open: { cycles: number; opcodes: number } | null = null
    runOnPico(uf2, {
        done: l => l === "DONE",
        maxCycles: 4e9,
        onInstruction: profiler.onInstruction,
        onLine: line => {
            if (line.text === OPEN) {
                open = line
                profiler.current = Profiler.empty(profiler.functions.length)
            } else if (line.text === CLOSE) {
                section.push({ profile: profiler.current!, cycles: line.cycles - open!.cycles, opcodes: line.opcodes - open!.opcodes })
                profiler.current = null
            } else sections.set(line.text, (section = []))
        },
    })
    return sections
}

/** A path's mean step after the first, the markers' own cycles (the image's empty window) taken off. */
function meanStep(windows: Window[], empty: Window): Window {
    const later = windows.slice(1)
    const mean = (f: (w: Window) => number) => later.reduce((s, w) => s + f(w), 0) / later.length
    const sub = (key: "groups" | "functions") => Float64Array.from(empty.profile[key], (e, j) => Math.max(0, mean(w => w.profile[key][j]) - e))
    return { cycles: mean(w => w.cycles) - empty.cycles, opcodes: mean(w => w.opcodes) - empty.opcodes, profile: { groups: sub("groups"), functions: sub("functions") } }
}

const profiler = new Profiler(bootromB1())
const variants: Variant[] = []
const sizing = new Workspace()
try {
    sizing.addDevicePrograms()
    const add = async (name: string, module: string, value: string, source: string) => {
        sizing.write(`${module}.ts`, source)
        variants.push({ name, module, value, source, imageBytes: (await sizing.build(`${module}.ts`)).binary.length })
    }
    for (const units of sizes) {
        const model = randomLstmModel(3, units, SEED)
        if (pathList.includes("naive")) await add(`LSTM(${units}) naive`, `n${units}`, "naive", emitNaiveModule(model))
        const paths = (["flash-matrices", "unrolled-flash", "literal-code"] as LayerPath[]).filter(p => pathList.includes(p) && (p !== "literal-code" || macsPerStep(model) <= SPECIALIZED_MAX_MACS))
        for (const path of paths) await add(`LSTM(${units}) ${path}`, `m${units}${path.replace(/-/g, "_")}`, "model", emitModule(planModel(model, encoding, path), { libraryImport: WORKSPACE_LIBRARY }))
    }
} finally {
    sizing.dispose()
}
// The Pico takes at most imageBytes of program: as many variants to an image, in order, as fit
// (each module's own size counts the library once more, which errs safe). The naive model's
// arrays fill most of the 64 KB heap (LSTM(32) next to flash matrices: out of memory in its
// step, 59 KB used), so it runs alone. The emulation is deterministic: figures of two images
// compare as those of one.
const budget = getBoard("pico").imageBytes
const images: Variant[][] = []
for (const v of variants) {
    const last = images[images.length - 1]
    const fits = last && last.reduce((s, u) => s + u.imageBytes, 0) + v.imageBytes <= budget
    if (fits && last[0].value !== "naive" && v.value !== "naive") last.push(v)
    else images.push([v])
}
const stepOf = new Map<Variant, Window>()
for (const image of images) {
    const sections = await runImage(image)
    const empty = sections.get("empty")![0]
    for (const v of image) stepOf.set(v, meanStep(sections.get(v.name)!, empty))
}
const steps = variants.map(v => stepOf.get(v)!)
const imageOf = (v: Variant) => images.findIndex(image => image.includes(v)) + 1

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`
const fmt = (n: number) => Math.round(n).toLocaleString("en-US")
const naiveCycles = new Map(variants.flatMap((v, i) => (v.value === "naive" ? [[v.name.split(" ")[0], steps[i].cycles] as const] : [])))
console.log(`${encoding} weights, 3 inputs, Dense(1) head; emulated Pico (rp2040js, flash cache not modelled) at 125 MHz; mean of ${STEPS} steps after the first; variants of one image ran in one emulation`)
console.log(`${"path".padEnd(28)} ${"cycles/step".padStart(12)} ${"ms/step".padStart(8)} ${"steps/s".padStart(8)} ${"opcodes".padStart(8)} ${"cyc/op".padStart(7)}  vs naive  image`)
variants.forEach((v, i) => {
    const s = steps[i]
    const naive = naiveCycles.get(v.name.split(" ")[0])
    const ms = (1000 * s.cycles) / PICO_HZ
    console.log(`${v.name.padEnd(28)} ${fmt(s.cycles).padStart(12)} ${ms.toFixed(2).padStart(8)} ${(1000 / ms).toFixed(1).padStart(8)} ${fmt(s.opcodes).padStart(8)} ${(s.cycles / s.opcodes).toFixed(0).padStart(7)}  ${(naive ? `${(naive / s.cycles).toFixed(1)}x` : "-").padStart(8)}  ${imageOf(v)}`)
})
console.log(`\nshare of a step's cycles by group (a root group holds all it calls):`)
console.log(`${"group".padEnd(24)} ${variants.map((_, i) => `v${i}`.padStart(7)).join(" ")}`)
GROUPS.forEach((g, j) => console.log(`${g.padEnd(24)} ${steps.map(s => pct(s.profile.groups[j], s.cycles).padStart(7)).join(" ")}`))
console.log(variants.map((v, i) => `v${i}: ${v.name}`).join(", "))
variants.forEach((v, i) => {
    const s = steps[i]
    const byFunction = [...s.profile.functions].map((c, f) => ({ c, f })).sort((a, b) => b.c - a.c).slice(0, top)
    console.log(`\n${v.name}: top functions (own cycles): ${byFunction.map(({ c, f }) => `${profiler.functions[f].name} ${pct(c, s.cycles)}`).join(", ")}`)
})
process.exit(0)
