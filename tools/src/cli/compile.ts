/** `dsrnn compile`: import, quantize and emit a DeviceScript module. */
import { join, resolve } from "node:path"
import { emitModule } from "../emit/emit.ts"
import type { ModelPlan } from "../emit/plan.ts"
import { libraryImportFor } from "../run/paths.ts"
import { writeOutputFile } from "../io/files.ts"
import { type Encoding, type TensorError } from "../model/quantize.ts"

export function formatReport(report: TensorError[], encoding: Encoding): string {
    const rows = report.map(r => `  ${r.tensor.padEnd(16)} ${r.shape.padStart(8)}  max ${r.maxAbs.toExponential(2)}  rms ${r.rms.toExponential(2)}`)
    return [`weight error of ${encoding} quantization (per tensor):`, ...rows].join("\n")
}

/** Writes the module; its import of the library is relative to where it lands. */
export function compileToFile(plan: ModelPlan, outFile: string, source: string): void {
    const out = resolve(outFile)
    const code = emitModule(plan, { libraryImport: libraryImportFor(resolve(out)), source })
    writeOutputFile(outFile, code)
}
