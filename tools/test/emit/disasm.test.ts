/**
 * Reads the VM bytecode of the step path (`devs disasm`) and checks that it
 * cannot allocate: no array/map/buffer/closure/object creation, no string
 * formatting, and no calls except the library's own fixed ones and C
 * builtins. Allocation is allowed only on a path that ends in THROW.
 */
import { beforeAll, describe, expect, test } from "vitest"
import { devs } from "../../src/run/devs.ts"

interface Proc {
    name: string
    lines: string[]
}

function parseProcs(listing: string): Proc[] {
    const procs: Proc[] = []
    for (const line of listing.split("\n")) {
        const head = /^(?:proc|method|ctor) (\w+)\(/.exec(line)
        if (head) procs.push({ name: head[1], lines: [] })
        else if (procs.length && /^\s*\d+:/.test(line)) procs[procs.length - 1].lines.push(line.trim())
    }
    return procs
}

const ALLOCATING = /ALLOC_|CLOSURE|\(new |"format"|CALL_ARRAY/
// C builtins: Math.*, and the Buffer reads the compiler turns into load_buffer.
const BUILTIN_CALL = /CALL Math\."\w+"/

/** Allocating instructions not followed (within 3 instructions) by a THROW. */
function allocationsOutsideThrow(p: Proc): string[] {
    return p.lines.filter((l, i) => ALLOCATING.test(l) && !p.lines.slice(i, i + 4).some(n => n.includes("THROW")))
}

function calls(p: Proc): string[] {
    return p.lines.filter(l => /\bCALL\b/.test(l) && !BUILTIN_CALL.test(l) && !ALLOCATING.test(l))
}

let procs: Proc[] = []
const named = (prefix: string) => procs.filter(p => p.name.startsWith(prefix + "_F"))

beforeAll(async () => {
    // cells.test.ts instantiates every layer type in every encoding
    const { code, output } = await devs(["disasm", "firmware-tests/cells.test.ts"])
    expect(code, output).toBe(0)
    procs = parseProcs(output)
})

describe("bytecode of the step path", () => {
    test("all kernels are present", () => {
        expect(named("matVec")).toHaveLength(1)
        expect(named("activate")).toHaveLength(1)
        expect(named("onGrid")).toHaveLength(1)
        expect(named("project")).toHaveLength(4) // Rnn, Lstm, Gru, Dense
        expect(named("apply")).toHaveLength(2) // Affine, GruAffine
        expect(named("update")).toHaveLength(4)
        expect(named("step")).toHaveLength(1)
    })

    test("cell loops call only C builtins", () => {
        for (const p of [...named("matVec"), ...named("activate"), ...named("onGrid")]) {
            expect(allocationsOutsideThrow(p), p.name).toEqual([])
            expect(calls(p), p.name).toEqual([])
        }
    })

    test("layers call only their projection, matVec and activate, and allocate nothing", () => {
        for (const p of [...named("project"), ...named("update"), ...named("apply")]) {
            expect(allocationsOutsideThrow(p), p.name).toEqual([])
            for (const c of calls(p)) expect(c, p.name).toMatch(/CALL (matVec_F\d+|activate_F\d+|onGrid_F\d+|this\."w"\."apply")\(/)
        }
    })

    test("Model.step allocates only to throw, and calls only the layer protocol", () => {
        for (const p of [...named("step"), ...named("checkIo")]) {
            expect(allocationsOutsideThrow(p), p.name).toEqual([])
            for (const c of calls(p)) expect(c, p.name).toMatch(/CALL (this\."checkIo"|\w+\."project"|\w+\."update")\(/)
        }
    })
})

describe("bytecode of Forecaster.step, the per-reading path of the app, predict() and simulate", () => {
    let path: Proc[] = []
    beforeAll(async () => {
        const { code, output } = await devs(["disasm", "firmware-tests/forecaster.test.ts"])
        expect(code, output).toBe(0)
        path = parseProcs(output)
    })
    const scaling = () => path.filter(p => /^(normalize|denormalize|addResidual)_F\d+$/.test(p.name))

    test("normalize, denormalize and addResidual call nothing and allocate nothing", () => {
        expect(scaling()).toHaveLength(3)
        for (const p of scaling()) {
            expect(allocationsOutsideThrow(p), p.name).toEqual([])
            expect(calls(p), p.name).toEqual([])
        }
    })

    test("Forecaster.step allocates only to throw, and calls only the scaling and the model's step", () => {
        // Model.step is the other `step`; Forecaster's is the one that normalizes
        const steps = path.filter(p => /^step_F\d+$/.test(p.name) && p.lines.some(l => /CALL normalize_F/.test(l)))
        expect(steps).toHaveLength(1)
        expect(allocationsOutsideThrow(steps[0])).toEqual([])
        for (const c of calls(steps[0])) expect(c).toMatch(/CALL (normalize_F\d+|denormalize_F\d+|addResidual_F\d+|this\."model"\."(step|stepAsync)"|this\."derived"\."fill")\(/)
    })

    test("the derived inputs (Derivation.fill) call only C builtins, sin and cos included, and the statistical input's next(); they allocate only to throw", () => {
        // the method, not layer.ts's fill(v, value)
        const fill = path.filter(p => /^fill_F\d+$/.test(p.name) && p.lines.some(l => /CALL Math\."floor"/.test(l)))
        expect(fill).toHaveLength(1)
        expect(allocationsOutsideThrow(fill[0])).toEqual([])
        // one frame per step, for a model with a statistical input
        expect(calls(fill[0])).toHaveLength(1)
        expect(calls(fill[0])[0]).toMatch(/CALL \w+\."next"\(/)
        const next = path.filter(p => /^next_F\d+$/.test(p.name))
        expect(next).toHaveLength(1)
        expect(allocationsOutsideThrow(next[0])).toEqual([])
        expect(calls(next[0])).toEqual([])
    })
    test("the anomaly flag (AnomalyCheck.check and remember, with its debounce ring and its scaled score) and ReadingCheck.check allocate only to throw and call only Math builtins", () => {
        const check = path.filter(p => /^(check|remember)_F\d+$/.test(p.name) && p.lines.some(l => /"last"/.test(l)))
        // AnomalyCheck's check reads its ring ("over"), ReadingCheck's its runs ("run")
        expect(check.map(p => p.name.replace(/_F\d+$/, "")).sort()).toEqual(["check", "check", "remember"])
        expect(check.filter(p => p.lines.some(l => /"over"/.test(l)))).toHaveLength(1)
        expect(check.filter(p => p.lines.some(l => /"run"/.test(l)))).toHaveLength(1)
        for (const p of check) {
            expect(allocationsOutsideThrow(p), p.name).toEqual([])
            for (const c of calls(p)) expect(c, p.name).toMatch(/CALL Math\."abs"\(/)
        }
    })

    test("StaleCheck's check and remember allocate only to throw and call only Math builtins", () => {
        const stale = path.filter(p => /^(check|remember)_F\d+$/.test(p.name) && p.lines.some(l => /"lastForecast"/.test(l)))
        expect(stale.map(p => p.name.replace(/_F\d+$/, "")).sort()).toEqual(["check", "remember"])
        for (const p of stale) {
            expect(allocationsOutsideThrow(p), p.name).toEqual([])
            for (const c of calls(p)) expect(c, p.name).toMatch(/CALL Math\."abs"\(/)
        }
    })
})

describe("bytecode of compiled cells (the code dsrnn compile emits for a recurrent layer)", () => {
    let cells: Proc[] = []
    beforeAll(async () => {
        // GRU and RNN cells in f32 and i8, each with a specialised dense head
        const { code, output } = await devs(["disasm", "firmware-tests/compiled-gru-rnn.test.ts"])
        expect(code, output).toBe(0)
        cells = parseProcs(output)
    })

    test("the emitted cells call only C builtins and allocate nothing", () => {
        // the five cells activate with Math builtins; the dense heads are linear
        const code = cells.filter(p => p.name.startsWith("apply_F") && p.lines.some(l => /CALL Math\./.test(l)))
        expect(code.length).toBe(5)
        for (const p of code) {
            expect(allocationsOutsideThrow(p), p.name).toEqual([])
            expect(calls(p), p.name).toEqual([])
        }
    })

    test("CompiledCell's project and update call only the cell code", () => {
        const layer = cells.filter(p => /^(project|update)_F\d+$/.test(p.name) && p.lines.some(l => /"code"|"next"/.test(l)))
        expect(layer.length).toBe(2)
        for (const p of layer) {
            expect(allocationsOutsideThrow(p), p.name).toEqual([])
            // the compiler loads the method into a register first: par4 := this."code"."apply"; CALL par4(...)
            for (const c of calls(p)) {
                const callee = /CALL (par\d+)\(/.exec(c)?.[1]
                expect(callee && p.lines.some(l => l.includes(`${callee} := this."code"."apply"`)), `${p.name}: ${c}`).toBe(true)
            }
        }
    })
})
