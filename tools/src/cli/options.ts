/** Command-line options several dsrnn commands share. */
import { Option } from "commander"

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
