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
import { EMITTED_CLASS_SHAPES, LIBRARY_CLASS_SHAPES } from "./device-classes.g.ts"

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

/** A class as the heap sees it: the properties each instance sets and the methods of its prototype. */
export interface ClassShape {
    fields: number
    methods: number
}

/** A class of a program: each one's prototype is paid once, however many instances (ModelPlan.heap). */
export interface DeviceClass extends ClassShape {
    name: string
}

type LibraryClass = keyof typeof LIBRARY_CLASS_SHAPES

/** The device library's classes, their shapes read off src/*.ts (device-classes.g.ts). */
export const LIBRARY_CLASSES = Object.fromEntries(Object.entries(LIBRARY_CLASS_SHAPES).map(([name, s]) => [name, { name, ...s }])) as Record<LibraryClass, DeviceClass>

/**
 * The class the emitter writes for one layer, implementing `kind` (src/
 * layer.ts, gru.ts, cell.ts): a new one per call, as each layer has its own.
 */
export const emittedClass = (kind: keyof typeof EMITTED_CLASS_SHAPES): DeviceClass => ({ name: kind, ...EMITTED_CLASS_SHAPES[kind] })

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
