/**
 * Counts the VM opcodes of one Model.step with the watchdog itself, which
 * kills a fiber after 131,072 opcodes without a suspension. After a
 * suspension the program runs the step, then n rounds of a 13-opcode loop;
 * the largest n that survives, against the largest n without the step,
 * gives the step's opcodes to within 13. The program is tools/device/opcodes.ts;
 * both numbers are patched into the built image, so one build serves the
 * whole search.
 */
import { randomBytes } from "node:crypto"
import type { CanonicalModel } from "../model/canonical.ts"
import { emitModule } from "../emit/emit.ts"
import type { ModelPlan } from "../emit/plan.ts"
import type { Encoding } from "../model/quantize.ts"
import { CALIBRATION_OPCODES } from "../../device/calib.ts"
import { runProgram } from "./vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "./workspace.ts"

/** More rounds than one slice holds: 131,072 / 13 = 10,082. */
const MAX_ROUNDS = 11_000

/** Opcodes of one step of `model` as dsrnn emits it (NaN if one step alone trips the watchdog). */
export async function countStepOpcodes(plan: ModelPlan): Promise<number> {
    const marker = randomBytes(16)
    const ws = new Workspace()
    try {
        ws.write("model.ts", emitModule(plan, { libraryImport: WORKSPACE_LIBRARY }))
        // the marker finds PATCH's two u32 (steps, rounds) in the image
        const entry = ws.program("opcodes.ts", { PATCH: `hex\`${marker.toString("hex")}0000000000000000\``, PATCH_AT: marker.length })
        const { binary } = await ws.build(entry)
        const image = Buffer.from(binary)
        const at = image.indexOf(marker) + marker.length
        const survives = async (steps: number, rounds: number) => {
            image.writeUInt32LE(steps, at)
            image.writeUInt32LE(rounds, at + 4)
            const { panic } = await runProgram(image, { timeoutMs: 30_000, done: l => l.startsWith("DONE"), allowPanic: true })
            return panic === undefined
        }
        const maxRounds = async (steps: number) => {
            if (!(await survives(steps, 0))) return NaN
            let lo = 0
            let hi = MAX_ROUNDS
            while (hi - lo > 1) {
                const mid = (lo + hi) >> 1
                if (await survives(steps, mid)) lo = mid
                else hi = mid
            }
            return lo
        }
        return CALIBRATION_OPCODES * ((await maxRounds(0)) - (await maxRounds(1)))
    } finally {
        ws.dispose()
    }
}
