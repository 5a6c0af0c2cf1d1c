/**
 * The class shapes the heap estimate reads (emit/device-classes.g.ts)
 * against their sources: the device library's classes in src/*.ts, the
 * classes the emitter writes into a model module, each of which has the
 * fields and methods of the src/ interface it implements, and the module's
 * object literals (scaling, the derived inputs' config).
 */
import ts from "typescript"
import { describe, expect, test } from "vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { classShape, deviceClassesModule } from "../../scripts/gen-device-classes.ts"
import { EMITTED_CLASS_SHAPES, LIBRARY_CLASS_SHAPES, LITERAL_SHAPES } from "../../src/emit/device-classes.g.ts"
import { emitModule } from "../../src/emit/emit.ts"
import { planModel } from "../../src/emit/plan.ts"
import { importCanonical } from "../../src/import/import-model.ts"
import type { CanonicalModel } from "../../src/model/canonical.ts"
import { randomRecurrentModel } from "../../src/model/random.ts"
import { PACKAGE_ROOT } from "../../src/run/paths.ts"

describe("the device classes' shapes", () => {
    test("are what tools/scripts/gen-device-classes.ts reads off src/ (rerun it after changing a src/ class)", () => {
        expect(readFileSync(join(PACKAGE_ROOT, "tools", "src", "emit", "device-classes.g.ts"), "utf8")).toBe(deviceClassesModule())
    })

    test("count what a constructor sets, by hand for Lstm and Matrix", () => {
        // Lstm: inputSize, units, w, act, rec, hiddenBits (parameters); outputSize, out, c, g, actC, hGrid, state, stageRows, stageCols
        expect(LIBRARY_CLASS_SHAPES.Lstm).toEqual({ fields: 15, methods: 3 })
        // Matrix: data, scales, rows, cols, enc, rest (parameters) and partRows; no methods
        expect(LIBRARY_CLASS_SHAPES.Matrix).toEqual({ fields: 7, methods: 0 })
        // Derivation: f; readings, inputSize, stateSize, prev, ring, size; time, slot, seen initialised
        expect(LIBRARY_CLASS_SHAPES.Derivation).toEqual({ fields: 10, methods: 2 })
        const src = ts.createSourceFile("x.ts", "class A { a: number; b = 1; constructor(public c: number, d: number) { this.a = d; this.e = 2 } m() {} }", ts.ScriptTarget.Latest, true)
        expect(classShape(src.statements[0] as ts.ClassDeclaration)).toEqual({ fields: 4, methods: 1 })
    })

    test("of the emitter's classes are those of the interfaces they implement, on every path", () => {
        const lstm = randomRecurrentModel("lstm", 3, 4, 1)
        const gru = randomRecurrentModel("gru", 3, 4, 2)
        const gruBefore: CanonicalModel = { ...gru, layers: [{ ...gru.layers[0], resetAfter: false } as CanonicalModel["layers"][0], gru.layers[1]] }
        const modules = [lstm, gru, gruBefore].flatMap(m => (["literal-code", "unrolled-flash"] as const).map(path => emitModule(planModel(m, "f32", path), { libraryImport: "./lib/index" })))
        const seen = new Set<string>()
        for (const source of modules) {
            const file = ts.createSourceFile("model.ts", source, ts.ScriptTarget.Latest, true)
            for (const c of file.statements.filter(ts.isClassDeclaration)) {
                const kind = c.heritageClauses![0].types[0].expression.getText() as keyof typeof EMITTED_CLASS_SHAPES
                expect(classShape(c), `${c.name!.text} implements ${kind}`).toEqual(EMITTED_CLASS_SHAPES[kind])
                seen.add(kind)
            }
        }
        expect([...seen].sort()).toEqual(Object.keys(EMITTED_CLASS_SHAPES).sort())
    })

    test("of the module's object literals are those of Scaling and DerivedInputs, statistical only with the ARIMA input", () => {
        const literals = (model: CanonicalModel) => {
            const file = ts.createSourceFile("model.ts", emitModule(planModel(model, "i8", "flash-matrices"), { libraryImport: "./lib/index" }), ts.ScriptTarget.Latest, true)
            const found: number[] = []
            const visit = (n: ts.Node) => {
                if (ts.isObjectLiteralExpression(n)) found.push(n.properties.length)
                ts.forEachChild(n, visit)
            }
            visit(file)
            return found
        }
        const data = (f: string) => importCanonical(join(PACKAGE_ROOT, "tools", "data", f))
        // seattle: the Derivation's config with statistical, then scaling; co2 has no ARIMA input
        expect(literals(data("seattle-lstm.json"))).toEqual([LITERAL_SHAPES.DerivedInputs.fields, LITERAL_SHAPES.Scaling.fields])
        expect(literals(data("series/co2.json"))).toEqual([LITERAL_SHAPES.DerivedInputs.fields - 1, LITERAL_SHAPES.Scaling.fields])
        expect(literals(randomRecurrentModel("lstm", 3, 4, 1))).toEqual([LITERAL_SHAPES.Scaling.fields])
    })
})
