import { zeros } from "./layer"
import { READING_JUMP, READING_STUCK } from "./limits"

/**
 * Faults a forecast residual cannot see, from the readings alone: a sensor
 * stuck at one value (the reading equal to the previous ones `stuckRows[j]`
 * readings in a row) and a change faster than the sensor ever moved
 * (|reading - previous| above `maxChange[j]`). `dsrnn train` calibrates
 * both per reading from its training rows (model.json `readingLimits`).
 * A limit of 0, or a null array, is off. Fixed state, allocated once.
 */
export class ReadingCheck {
    private last: number[]
    /** Per reading, how many readings in a row have equalled the current one. */
    private run: number[]
    private primed = false

    constructor(
        readonly stuckRows: number[],
        readonly maxChange: number[]
    ) {
        const n = stuckRows ? stuckRows.length : maxChange ? maxChange.length : 0
        if (stuckRows && maxChange && stuckRows.length !== maxChange.length) throw new Error(`ReadingCheck: ${stuckRows.length} stuck limits and ${maxChange.length} change limits`)
        this.last = zeros(n)
        this.run = zeros(n)
    }

    /** READING_STUCK and READING_JUMP bits for `raw` (its first readings, one per limit), against the readings before it. */
    check(raw: number[]): number {
        let kinds = 0
        const stuck = this.stuckRows
        const jump = this.maxChange
        for (let j = 0; j < this.last.length; j++) {
            const v = raw[j]
            if (this.primed) {
                this.run[j] = v === this.last[j] ? this.run[j] + 1 : 1
                if (stuck && stuck[j] > 0 && this.run[j] >= stuck[j]) kinds = kinds | READING_STUCK
                if (jump && jump[j] > 0 && Math.abs(v - this.last[j]) > jump[j]) kinds = kinds | READING_JUMP
            } else this.run[j] = 1
            this.last[j] = v
        }
        this.primed = true
        return kinds
    }
}
