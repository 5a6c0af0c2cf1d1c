/**
 * Heap bytes of the VM's objects, arrays and classes, as the device
 * library's constructors allocate them (src/*.ts); the kernels (kernels/*.ts)
 * add up their layer's with these. Measured in the WASM VM (devs 2.16.4) by
 * its out-of-memory report, 40 objects at a time: every block carries a 4 B
 * header; a map (an object) is 20 B plus a block of 16 B slots (a value and
 * its key); an array is 20 B plus a block of 8 B slots; a class costs its
 * prototype once per program. tools/test/emit/heap-vm.test.ts holds the
 * model's figure to the VM's.
 */

/** Slots of an object once `fields` are set: 4, then floor(capacity * 10 / 8) each time all are taken (the VM's devs_map_set). */
export function mapCapacity(fields: number): number {
    let cap = 4
    while (cap < fields) cap = Math.floor((cap * 10) / 8)
    return cap
}

/** A class instance or object literal with this many fields (measured: 88 B up to 4 fields, 104 B with 5, 184 B with 9 or 10). */
export const objectBytes = (fields: number) => (fields === 0 ? 20 : 24 + 16 * mapCapacity(fields))

/**
 * A class, once per program, however many instances: its prototype, a map
 * of its methods and constructor (measured: 124 B with up to 3 methods, 220
 * B with 8).
 */
export const classBytes = (methods: number) => 60 + 16 * mapCapacity(methods + 1)

/** A DeviceScript class as the heap sees it: the fields each instance sets (constructor parameter properties and initialisers too) and its methods. */
export interface DeviceClass {
    name: string
    fields: number
    methods: number
}

/** The device library's classes a model module makes, counted off src/*.ts. */
export const LIBRARY_CLASSES = {
    Model: { name: "Model", fields: 6, methods: 8 },
    Lstm: { name: "Lstm", fields: 15, methods: 3 },
    Gru: { name: "Gru", fields: 15, methods: 3 },
    Rnn: { name: "Rnn", fields: 12, methods: 3 },
    Dense: { name: "Dense", fields: 9, methods: 3 },
    CompiledCell: { name: "CompiledCell", fields: 11, methods: 3 },
    Affine: { name: "Affine", fields: 9, methods: 1 },
    GruAffine: { name: "GruAffine", fields: 7, methods: 1 },
    Matrix: { name: "Matrix", fields: 7, methods: 0 },
    Derivation: { name: "Derivation", fields: 10, methods: 2 },
    Arima: { name: "Arima", fields: 13, methods: 2 },
} satisfies Record<string, DeviceClass>

/**
 * A class the emitter writes for one layer (a Projection, GruProjection or
 * CellCode: rows, inputs, hidden and two more, and apply); each layer has
 * its own.
 */
export const emittedClass = (): DeviceClass => ({ name: "emitted", fields: 5, methods: 1 })

/** Capacity of a number[] of length n built by push: 4, then floor(len * 10 / 8) at each overflow. */
export function pushCapacity(n: number): number {
    let cap = 4
    for (let len = 1; len <= n; len++) if (len > cap) cap = Math.floor((len * 10) / 8)
    return cap
}

/** Heap bytes of a number[] of length n built by push (src/layer.ts zeros); an empty one has no slots yet. */
export function arrayBytes(n: number): number {
    return n === 0 ? 16 : 20 + 8 * pushCapacity(n)
}

/** A literal array ([a, b]) is allocated at its exact length. */
export const literalArrayBytes = (n: number) => (n === 0 ? 16 : 20 + 8 * n)
