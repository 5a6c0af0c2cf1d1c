/**
 * Limits both sides of the host/device line read: the device library
 * (Model) enforces them, and the host tools (tools/src/board/budget.ts, the
 * emitter's plans) import this file directly to decide step or stepAsync.
 * Plain constants and no imports, so Node and DeviceScript both load it.
 */

/**
 * Opcodes `step` may run in one go: half of the 131,072 the watchdog allows
 * a fiber between two suspensions, so the caller keeps the other half.
 * Larger models must use stepAsync.
 */
export const STEP_OPCODE_LIMIT = 65536

/** Multiply-adds stepAsync runs between two suspensions. */
export const SLICE_MACS = 2000

/** ReadingCheck's result bits (src/reading-check.ts), which the host's copy of the rule returns too: a reading that has repeated too long, and one that moved too fast. */
export const READING_STUCK = 1
export const READING_JUMP = 2
