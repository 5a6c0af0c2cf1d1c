/**
 * The host half of the sensor app's console lines: src/console-lines.ts
 * prints them (predictionLine) and says their fields; this reads them back.
 */
import { APP_PREFIX, PREDICTION_FIELDS } from "../../../src/console-lines.ts"

/** One published prediction, parsed from `dsrnn: t=.. y=[..] anomaly=.. f64=..`. */
export interface Prediction {
    t: number
    /** The exact outputs: the f64 field, not the rounded y. */
    y: number[]
    anomaly: boolean
}

/** Each field's value as predictionLine prints it. */
const FIELD_VALUE: Record<string, RegExp> = { t: /^\d+$/, y: /^\[[^\]]*\]$/, anomaly: /^[01]$/, f64: /^(?:[0-9a-f]{16})*$/ }

/** The prediction in a console line (anywhere in it: devs puts its own prefix in front), or null for any other line. */
export function parsePrediction(line: string): Prediction | null {
    const at = line.indexOf(`${APP_PREFIX}${PREDICTION_FIELDS[0]}=`)
    if (at < 0) return null
    const fields = line.slice(at + APP_PREFIX.length).trim().split(" ")
    if (fields.length !== PREDICTION_FIELDS.length) return null
    const values: Record<string, string> = {}
    for (const [i, name] of PREDICTION_FIELDS.entries()) {
        const [key, value] = [fields[i].slice(0, name.length + 1), fields[i].slice(name.length + 1)]
        if (key !== `${name}=` || !FIELD_VALUE[name].test(value)) return null
        values[name] = value
    }
    const buf = Buffer.from(values.f64, "hex")
    const y = Array.from({ length: buf.length / 8 }, (_, i) => buf.readDoubleLE(8 * i))
    return { t: +values.t, y, anomaly: values.anomaly === "1" }
}
