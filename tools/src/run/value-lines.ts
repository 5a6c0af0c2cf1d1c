/**
 * The host half of the value lines, numbers out of the VM through its
 * console (src/console-lines.ts has the format, tools/device/value-lines.ts
 * prints them). The host checks every index and the count, so a cut or lost
 * line is an error, never a silently short row.
 */
import { UserError } from "../core/errors.ts"
import { END_WORD } from "../../../src/console-lines.ts"

/** The values of stream `tag` in `lines`, checked line by line; exactly `count` of them or a UserError. */
export function readValues(lines: string[], tag: string, count: number): number[] {
    const values: number[] = []
    let end: number | undefined
    for (const line of lines) {
        if (!line.startsWith(tag + " ")) continue
        const [, at, hex] = line.split(" ")
        if (at === END_WORD) {
            end = Number(hex)
            continue
        }
        const bytes = Buffer.from(hex ?? "", "hex")
        if (Number(at) !== values.length || bytes.length === 0 || bytes.length % 8 !== 0 || 2 * bytes.length !== hex.length)
            throw new UserError(`the simulator's output is damaged: line "${line.slice(0, 40)}..." (expected ${tag} values from index ${values.length})`)
        for (let i = 0; i < bytes.length; i += 8) values.push(bytes.readDoubleLE(i))
    }
    if (end !== values.length || values.length !== count)
        throw new UserError(`the simulator sent ${values.length} ${tag} values (it counted ${end ?? "none"}), expected ${count}: ${lines.slice(-3).join(" | ")}`)
    return values
}
