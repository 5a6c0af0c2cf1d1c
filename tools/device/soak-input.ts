/**
 * The soak run's input j at step t: a pseudo-random sequence in [-1, 1) that
 * the VM and the host compute to the same double (integers below 2^53, then
 * a division by a power of two). Plain TypeScript: the soak program runs it
 * on the device and soak.ts runs it for the float64 references.
 */
export function soakInput(t: number, j: number): number {
    return ((t * 7919 + j * 104729 + 13) % 65536) / 32768 - 1
}
