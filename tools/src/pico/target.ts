/**
 * Where `simulate` and `bench` run a program: the host's WASM build of the
 * DeviceScript VM, or the real firmware on an emulated Pico. The one list of
 * targets: the CLI's --target reads it, and simulateTarget maps a target to
 * the runner run/simulate.ts takes.
 */
import type { SimulateTarget } from "../run/simulate.ts"
import { PICO_SIMULATE } from "./simulate.ts"

export const TARGETS = ["host", "pico"] as const
export type Target = (typeof TARGETS)[number]

/** What runs the program, for messages. */
export const TARGET_LABEL: Record<Target, string> = { host: "the simulator", pico: "the Pico firmware (emulated)" }

/** simulate's runner for `target`; undefined is run/simulate.ts's default, the host VM. */
export function simulateTarget(target: Target): SimulateTarget | undefined {
    return target === "pico" ? PICO_SIMULATE : undefined
}
