/**
 * The calibration loop that turns VM time into opcodes, for `dsrnn bench`
 * (timed next to a step) and the opcode count (the watchdog's rounds). Plain
 * TypeScript, so the host imports the opcode figure from the same file the
 * device runs.
 *
 * Its body is 13 VM opcodes per iteration (LOAD, LOAD, LT, JMP_Z; LOAD, LOAD,
 * ADD, STORE; LOAD, CONST, ADD, STORE; JMP), which the 131,072-opcode
 * watchdog confirms: 10,070 iterations run, 10,085 trip it.
 */

/** Opcodes per round of `calib`. */
export const CALIBRATION_OPCODES = 13

export function calib(n: number) {
    let acc = 0
    for (let i = 0; i < n; i++) acc = acc + i
    return acc
}
