/**
 * Heap bytes of the VM's objects and arrays, as the device library's
 * constructors allocate them (src/*.ts); the kernels (kernels/*.ts) add up
 * their layer's with these.
 */

/** A class instance: header plus one 16-byte key/value slot per field (estimate; no heap API to measure it). */
export const objectBytes = (fields: number) => 32 + 16 * fields

/** Capacity of a number[] of length n built by push: 4, then floor(len * 10 / 8) at each overflow. */
export function pushCapacity(n: number): number {
    let cap = 4
    for (let len = 1; len <= n; len++) if (len > cap) cap = Math.floor((len * 10) / 8)
    return cap
}

/** Heap bytes of a number[] of length n built by push (src/layer.ts zeros). */
export function arrayBytes(n: number): number {
    return 20 + 8 * pushCapacity(n)
}

/** A literal array ([a, b]) is allocated at its exact length. */
export const literalArrayBytes = (n: number) => 20 + 8 * n
