// The host tools are a pipeline of stages, one folder each under tools/src.
// A file may import its own stage or a stage on a lower tier, never one on its
// own tier or above: that keeps each stage testable alone and the pipeline
// readable from the folders. This test reads the import lines itself.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const SRC = fileURLToPath(new URL("../src/", import.meta.url))
/** The repository, which holds the device library (src/) and the device programs (tools/device/), compiled by DeviceScript. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url))
/**
 * The device modules the host may import, below every stage: plain values
 * and functions both sides of the host/device line run, so neither keeps a
 * copy. Each has no imports, so Node loads it without the DeviceScript runtime.
 */
export const SHARED_WITH_DEVICE = ["src/limits.ts", "src/console-lines.ts", "tools/device/calib.ts", "tools/device/soak-input.ts"]

/** Lowest tier first. Stages on one tier do not import each other. */
export const TIERS: string[][] = [["core"], ["model"], ["io", "import", "emit"], ["run"], ["pico"], ["board", "train"], ["eval"], ["report"], ["cli"]]

const tierOf = new Map(TIERS.flatMap((stages, tier) => stages.map((s) => [s, tier] as const)))

function tsFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name)
        return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith(".ts") ? [path] : []
    })
}

/** Relative specifiers of static imports, `export ... from` and dynamic `import()`. */
export function relativeImports(source: string): string[] {
    const found: string[] = []
    for (const m of source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm)) found.push(m[1])
    for (const m of source.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)) found.push(m[1])
    return found
}

function stageOf(file: string): string | undefined {
    const rel = relative(SRC, file)
    return rel.startsWith("..") || !rel.includes("/") ? undefined : rel.split("/")[0]
}

/** Every import that runs sideways or upward, as "from -> to". */
export function violations(files: string[], read: (f: string) => string): string[] {
    const bad: string[] = []
    for (const file of files) {
        const from = stageOf(file)
        for (const spec of relativeImports(read(file))) {
            const target = resolve(dirname(file), spec)
            const to = stageOf(target)
            if (from === to) continue
            if (SHARED_WITH_DEVICE.some((f) => target === join(ROOT, f))) continue
            const fromTier = from === undefined ? TIERS.length : tierOf.get(from)
            const toTier = to === undefined ? TIERS.length : tierOf.get(to)
            if (fromTier === undefined || toTier === undefined || toTier >= fromTier) {
                bad.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`)
            }
        }
    }
    return bad
}

/**
 * The first import circle among `files` (type-only imports included), as a
 * path of files, or null. A generated table (*.g.ts) may name its row type
 * from the module that reads it: that edge is left out.
 */
export function findCircle(files: string[], read: (f: string) => string): string[] | null {
    const edges = new Map(files.map((f) => [f, f.endsWith(".g.ts") ? [] : relativeImports(read(f)).map((s) => resolve(dirname(f), s))]))
    const state = new Map<string, "open" | "done">()
    const stack: string[] = []
    const visit = (f: string): string[] | null => {
        if (state.get(f) === "done") return null
        if (state.get(f) === "open") return [...stack.slice(stack.indexOf(f)), f]
        state.set(f, "open")
        stack.push(f)
        for (const to of edges.get(f) ?? []) {
            const circle = visit(to)
            if (circle) return circle
        }
        stack.pop()
        state.set(f, "done")
        return null
    }
    for (const f of files) {
        const circle = visit(f)
        if (circle) return circle.map((c) => relative(SRC, c))
    }
    return null
}

describe("stage layering of tools/src", () => {
    const files = tsFiles(SRC)

    it("every folder under tools/src is a known stage", () => {
        const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory())
        expect(folders.filter((f) => !tierOf.has(f))).toEqual([])
        expect(folders.length).toBeGreaterThanOrEqual(5)
    })

    it("at most 2 loose files sit directly in tools/src", () => {
        expect(files.filter((f) => stageOf(f) === undefined).length).toBeLessThanOrEqual(2)
    })

    it("no file imports a stage on its own tier or above", () => {
        expect(files.length).toBeGreaterThan(20)
        expect(violations(files, (f) => readFileSync(f, "utf8"))).toEqual([])
    })

    // emit/ (plan.ts and the kernels) and train/ (candidates.ts and options.ts) still import types around a circle (issue 18).
    const CIRCLED = ["emit", "train"]

    it("no two files import each other, directly or around a circle", () => {
        const checked = files.filter((f) => !CIRCLED.includes(stageOf(f) ?? ""))
        expect(checked.length).toBeGreaterThan(20)
        expect(findCircle(checked, (f) => readFileSync(f, "utf8"))).toBeNull()
    })

    it("an import circle is caught", () => {
        const a = join(SRC, "eval", "a.ts")
        const b = join(SRC, "eval", "b.ts")
        const sources: Record<string, string> = { [a]: 'import type { B } from "./b.ts"\n', [b]: 'import { a } from "./a.ts"\n' }
        expect(findCircle([a, b], (f) => sources[f])).toEqual(["eval/a.ts", "eval/b.ts", "eval/a.ts"])
    })

    it("an upward import is caught", () => {
        const model = join(SRC, "model", "x.ts")
        const emit = join(SRC, "emit", "y.ts")
        const sources: Record<string, string> = {
            [model]: 'import { simulate } from "../run/simulate.ts"\n',
            [emit]: 'import type { Csv } from "../io/csv.ts"\nconst m = await import("../cli/cli.ts")\n',
        }
        expect(violations([model, emit], (f) => sources[f])).toEqual([
            "model/x.ts -> run/simulate.ts",
            "emit/y.ts -> io/csv.ts",
            "emit/y.ts -> cli/cli.ts",
        ])
    })

    it("the device modules the host shares import nothing, so Node can load them", () => {
        for (const f of SHARED_WITH_DEVICE) expect(readFileSync(join(ROOT, f), "utf8").match(/^\s*import\b|\bfrom\s*["']/gm), f).toBeNull()
    })

    it("only the shared device modules may be imported from src/", () => {
        const emit = join(SRC, "emit", "y.ts")
        const source = 'import { SLICE_MACS } from "../../../src/limits.ts"\nimport { Model } from "../../../src/model.ts"\n'
        expect(violations([emit], () => source)).toEqual(["emit/y.ts -> ../../src/model.ts"])
    })

    it("multi-line imports are read", () => {
        expect(relativeImports('import {\n  a,\n  b,\n} from "../model/canonical.ts"\n')).toEqual(["../model/canonical.ts"])
    })
})
