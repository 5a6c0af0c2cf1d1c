/**
 * Counts the VM opcodes of one Model.step with the watchdog itself, which
 * kills a fiber after 131,072 opcodes without a suspension. After a
 * suspension the program runs the step, then n rounds of a 13-opcode loop;
 * the largest n that survives, against the largest n without the step,
 * gives the step's opcodes to within 13. Both numbers are patched into the
 * built image, so one build serves the whole search.
 */
import { randomBytes } from "node:crypto"
import type { CanonicalModel } from "../model/canonical.ts"
import { emitModule } from "../emit/emit.ts"
import type { ModelPlan } from "../emit/plan.ts"
import type { Encoding } from "../model/quantize.ts"
import { runProgram } from "./vm.ts"
import { WORKSPACE_LIBRARY, Workspace } from "./workspace.ts"

/** Opcodes per round of `calib` (bench.ts explains the 13). */
const LOOP_OPCODES = 13
/** More rounds than one slice holds: 131,072 / 13 = 10,082. */
const MAX_ROUNDS = 11_000

function program(marker: Buffer): string {
    return `import * as ds from "@devicescript/core"
import { Model, zeros } from "${WORKSPACE_LIBRARY}"
import { model } from "./model"

const P = hex\`${marker.toString("hex")}0000000000000000\`
// told it costs 1 opcode, so that step() runs models it would refuse
const counted = new Model(model.layers, 1)
const x = zeros(model.inputSize)
const y = zeros(model.outputSize)
function calib(n: number) {
    let acc = 0
    for (let i = 0; i < n; i++) acc = acc + i
    return acc
}
async function main() {
    for (let j = 0; j < x.length; j++) x[j] = 0.3 * j - 0.2
    const steps = P.getAt(${marker.length}, "u32")
    const rounds = P.getAt(${marker.length + 4}, "u32")
    await ds.sleep(0)
    for (let i = 0; i < steps; i++) counted.step(x, y)
    const sum = calib(rounds)
    await ds.sleep(0)
    console.log("DONE " + sum)
}
await main()
`
}

/** Opcodes of one step of `model` as dsrnn emits it (NaN if one step alone trips the watchdog). */
export async function countStepOpcodes(plan: ModelPlan): Promise<number> {
    const marker = randomBytes(16)
    const ws = new Workspace()
    try {
        ws.write("model.ts", emitModule(plan, { libraryImport: WORKSPACE_LIBRARY }))
        ws.write("main.ts", program(marker))
        const { binary } = await ws.build("main.ts")
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
        return LOOP_OPCODES * ((await maxRounds(0)) - (await maxRounds(1)))
    } finally {
        ws.dispose()
    }
}
