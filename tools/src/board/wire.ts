/**
 * Jacdac wire formats (a register's packFormat: u22.10, i12.20, u16, f64,
 * ...): what a sensor reading can carry and how it is rounded on the way.
 * A simulated sensor server packs its reading with the service's format, so
 * a replayed CSV value reaches the app as onTheWire(value, format).
 */

interface Fixed {
    signed: boolean
    /** Storage bits (A + B of uA.B). */
    bits: number
    /** Fraction bits (B; 0 for an integer format). */
    fraction: number
}

function fixed(format: string): Fixed | null {
    if (format === "f64") return null
    const m = /^([ui])(\d+)(?:\.(\d+))?$/.exec(format)
    if (!m) throw new Error(`unsupported Jacdac format ${format}`)
    const fraction = m[3] ? +m[3] : 0
    return { signed: m[1] === "i", bits: +m[2] + fraction, fraction }
}

/** The stored integer's limits. */
function limits(f: Fixed): [number, number] {
    return f.signed ? [-(2 ** (f.bits - 1)), 2 ** (f.bits - 1) - 1] : [0, 2 ** f.bits - 1]
}

/** The smallest and largest value the format carries. */
export function wireRange(format: string): [number, number] {
    const f = fixed(format)
    if (!f) return [-Number.MAX_VALUE, Number.MAX_VALUE]
    const [lo, hi] = limits(f)
    return [lo / 2 ** f.fraction, hi / 2 ** f.fraction]
}

/**
 * The value as the receiver decodes it. Measured in the DeviceScript VM
 * (PacketSpec.encode, tools/test/board/sensors.test.ts): the runtime stores
 * trunc(v * 2^B + 0.5), saturated to the storage, so a positive value rounds
 * to the nearest step and a negative one can move up by almost a whole step.
 */
export function onTheWire(value: number, format: string): number {
    const f = fixed(format)
    if (!f) return value
    const [lo, hi] = limits(f)
    const scale = 2 ** f.fraction
    return Math.min(hi, Math.max(lo, Math.trunc(value * scale + 0.5))) / scale
}

/** The grid the format rounds to: 2^-B, 1 for an integer format, 0 for f64 (exact). */
export function wireStep(format: string): number {
    const f = fixed(format)
    return f ? 2 ** -f.fraction : 0
}

/** The largest |onTheWire(v) - v| inside the format's range: half a step, a whole one where negatives round up. */
export function wireError(format: string): number {
    const f = fixed(format)
    return f ? (f.signed ? 1 : 0.5) * wireStep(format) : 0
}

/** The step in words: "1/1024", "1" (whole numbers). */
export function describeStep(format: string): string {
    const f = fixed(format)
    return !f || f.fraction === 0 ? "1" : `1/${2 ** f.fraction}`
}
