/**
 * Ends a program whose live heap runProgram should report: it holds 20,000
 * bytes, then asks for 57,000 more, which no 64 KB heap has left, so the VM's
 * out-of-memory report gives the heap in use. `keep` is a figure of the
 * program's own objects, printed so that they stay alive up to that point.
 * bench's heap programs (heap-base.ts, heap-ours.ts, heap-naive.ts) end
 * here; their figures are differences, so the probe's own frame cancels. soak.ts runs the same three lines at its top
 * level, because there a call left the report 4-8 B apart between a short
 * and a long run (measured).
 */
let hog: Buffer
let more: Buffer

export function probeHeap(keep: number) {
    hog = Buffer.alloc(20000)
    more = Buffer.alloc(57000)
    console.log("" + hog.length + more.length + keep)
}
