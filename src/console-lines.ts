/**
 * The console lines dsrnn's device code prints and the host reads, in one
 * place so that a printer and its parser cannot drift. Plain values and
 * functions and no imports: DeviceScript compiles it into the programs that
 * print (src/app.ts, tools/device/value-lines.ts, record.ts), and Node loads
 * it for the parsers (tools/src/run/value-lines.ts, tools/src/board/app-lines.ts,
 * record-program.ts).
 */

/**
 * Value lines, the harnesses' checked protocol: numbers as f64 hex in lines
 * of at most LINE_VALUES, each tagged with its stream and the index of its
 * first value, then a closing line with the stream's count:
 *   Y 0 <hex of 8 f64>
 *   Y 8 <hex>
 *   Y end 12
 * 8 values = 128 hex characters, plus "Y 1234567 ": under the 160 characters
 * at which the Pico firmware's DMESG cuts a line (jacdac-c's
 * JD_DMESG_LINE_BUFFER), the shorter of the two targets' cuts (the WASM VM's
 * is 296, measured), so one protocol serves both.
 */
export const LINE_VALUES = 8

/** The word in place of an index that closes a stream. */
export const END_WORD = "end"

/** A value line: stream `tag`, the index of its first value, the values as little-endian f64 hex. */
export function valueLine(tag: string, first: number, hex: string): string {
    return tag + " " + first + " " + hex
}

/** The closing line of stream `tag`, which sent `count` values. */
export function endLine(tag: string, count: number): string {
    return tag + " " + END_WORD + " " + count
}

/** What starts every line the sensor app prints (docs/device-api.md). */
export const APP_PREFIX = "dsrnn: "

/**
 * The sensor app's line per prediction, readable as it is and parsed by the
 * host (tools/src/board/app-lines.ts):
 *   dsrnn: t=<step> y=[<y0>,<y1>,...] anomaly=<0|1> f64=<hex>
 * y is printed with the VM's ~7 significant digits; f64 holds the exact
 * outputs, little-endian float64 in hex, for hosts that compare results.
 */
export function predictionLine(t: number, y: number[], anomaly: number, f64: string): string {
    return `${APP_PREFIX}t=${t} y=[${y.join(",")}] anomaly=${anomaly} f64=${f64}`
}

/** The fields of a prediction line, in order, as `name=value` separated by one space. */
export const PREDICTION_FIELDS = ["t", "y", "anomaly", "f64"]

/** The app's last line, after config.steps predictions. */
export const APP_DONE = APP_PREFIX + "done"

/** What starts every line of the recorder (tools/device/record.ts lists them), parsed by tools/src/board/record-program.ts. */
export const RECORD_PREFIX = "dsrnn-rec: "
