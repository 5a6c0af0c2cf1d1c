/**
 * The canonical JSON writer against its reader: every field, the optional
 * ones included, survives a round trip bit for bit, and the writer refuses a
 * model the reader would refuse.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { canonicalJson, importCanonical } from "../../src/import/import-model.ts"
import type { CanonicalModel, LstmLayer } from "../../src/model/canonical.ts"
import { randomLstmModel } from "../../src/model/random.ts"

const dir = mkdtempSync(join(tmpdir(), "dsrnn-canonical-"))

function trained(): CanonicalModel {
    return {
        ...randomLstmModel(2, 5, 7),
        name: "t",
        inputNames: ["temperature", "pressure"],
        outputNames: ["temperature"],
        horizon: 1,
        residual: [0],
        inputNormalization: { mean: [10.25, 1013.5], std: [4.1, 7.3] },
        outputNormalization: { mean: [0.01], std: [0.37] },
        anomaly: { threshold: 1.0799, percentile: 99.5 },
        training: { command: "dsrnn train a.csv --target temperature", trainRows: 80, validationRows: 20, epochs: [{ loss: 0.5, windowLoss: 0.4, streamRmse: 0.3 }], bestEpoch: 1 },
    }
}

describe("canonical model writer", () => {
    it("round trip: importCanonical(canonicalJson(m)) equals m, weights to the last bit", () => {
        const model = trained()
        // weights with full float64 mantissas, not float32 ones
        ;(model.layers[0] as LstmLayer).Wx[0][0] = 0.1 + 0.2
        const file = join(dir, "m.json")
        writeFileSync(file, canonicalJson(model))
        expect(importCanonical(file)).toEqual(model)
        expect((importCanonical(file).layers[0] as LstmLayer).Wx[0][0]).toBe(0.30000000000000004)
    })

    it("refuses a residual index outside the inputs, as the reader would", () => {
        expect(() => canonicalJson({ ...trained(), residual: [2] })).toThrow("residual: value 0 is 2, not a reading index (0..1)")
        const file = join(dir, "bad.json")
        writeFileSync(file, JSON.stringify({ ...trained(), residual: [2] }))
        expect(() => importCanonical(file)).toThrow("residual: value 0 is 2")
    })

    it("refuses outputNames of the wrong length and a horizon of 0", () => {
        expect(() => canonicalJson({ ...trained(), outputNames: ["a", "b"] })).toThrow("outputNames: must be 1 non-empty names")
        expect(() => canonicalJson({ ...trained(), horizon: 0 })).toThrow("horizon is 0")
    })
})
