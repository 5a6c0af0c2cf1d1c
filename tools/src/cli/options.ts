/** Command-line options several dsrnn commands share, and how they print what the CSV reader noted. */
import { Option } from "commander"
import { parseDelimiter } from "../io/csv.ts"
import { TARGETS } from "../pico/target.ts"

export const weightsOption = () =>
    new Option("-w, --weights <encoding>", "weight encoding on the device").choices(["f32", "i16", "i8"]).default("i8")

export const specializeOption = () =>
    new Option("-s, --specialize <mode>", "straight-line code with literal weights (auto: when it fits the image)")
        .choices(["auto", "on", "off"])
        .default("auto")

export const unrollOption = () =>
    new Option("-u, --unroll <mode>", "layers not specialised as a row loop with unrolled columns reading weights from flash, about 2x faster than flash matrices (auto: when it fits the image)")
        .choices(["auto", "on", "off"])
        .default("auto")

export const targetOption = () =>
    new Option("--target <where>", "where the program runs: host (the DeviceScript VM's WASM build) or pico (the real RP2040 firmware, boards/pico/, on an emulated Raspberry Pi Pico: about 10-40x slower than a real board)")
        .choices([...TARGETS])
        .default("host")

export const delimiterOption = () =>
    new Option("--delimiter <char>", 'CSV delimiter: ",", ";" (then 1,25 is 1.25), "tab" or one other character (default: read off the header line)').argParser(parseDelimiter)

/** The reader's notes (skipped columns, dialect, dropped rows), one "data:" line each. */
export function printNotes(notes: string[], print: (line: string) => void = console.log): void {
    for (const n of notes) print(`data: ${n}`)
}
