/**
 * The property every fuzz target checks: bad input ends in a UserError whose
 * message is one line of at most MESSAGE_LIMIT characters; anything accepted
 * is a valid model whose float64 reference output is finite. Nothing else:
 * no TypeError, no RangeError, no NaN.
 */
import type { CanonicalModel } from "../../../src/model/canonical.ts"
import { UserError } from "../../../src/core/errors.ts"
import { ReferenceModel } from "../../../src/model/reference.ts"
import { validateModel } from "../../../src/model/validate.ts"

/** The longest message a refusal may have (the console cuts lines at about 300 characters). */
export const MESSAGE_LIMIT = 300

/** A broken property: fast-check reports it with the case and the seed. */
export class PropertyBroken extends Error {}

export function checkRefusal(e: unknown): void {
    if (!(e instanceof UserError)) throw new PropertyBroken(`not a UserError: ${e instanceof Error ? e.stack : String(e)}`)
    const m = e.message
    if (m.length === 0 || m.length > MESSAGE_LIMIT || /[\r\n\u2028\u2029]/.test(m))
        throw new PropertyBroken(`a message of ${m.length} characters or several lines: ${JSON.stringify(m.slice(0, 400))}`)
}

/** Inputs in [-1, 1] that vary per step and feature, so every weight takes part. */
function probeRows(inputs: number): number[][] {
    return Array.from({ length: 4 }, (_, t) => Array.from({ length: inputs }, (_, j) => Math.sin(1 + 3 * t + 7 * j)))
}

export function checkModel(model: CanonicalModel): void {
    validateModel(structuredClone(model))
    const out = new ReferenceModel(model).run(probeRows(model.inputSize))
    const bad = out.flat().find(v => !Number.isFinite(v))
    if (bad !== undefined) throw new PropertyBroken(`an accepted model's reference output is ${bad}`)
}

/** Runs one case: a refusal or an accepted model, each checked; `accepted` checks more of a success. */
export async function expectRefusalOrModel(run: () => CanonicalModel | Promise<CanonicalModel>, accepted?: (m: CanonicalModel) => void): Promise<"refused" | "accepted"> {
    let model: CanonicalModel
    try {
        model = await run()
    } catch (e) {
        checkRefusal(e)
        return "refused"
    }
    checkModel(model)
    accepted?.(model)
    return "accepted"
}
