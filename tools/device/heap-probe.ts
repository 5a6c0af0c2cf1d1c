/**
 * Ends a program whose live heap runProgram should report: it holds 20,000
 * bytes, then asks for 57,000 more, which no 64 KB heap has left, so the VM's
 * out-of-memory report gives the heap in use. `keep` is a figure of the
 * program's own objects, printed so that they stay alive up to that point.
 * The buffers are module variables, not locals: with locals, the soak
 * program's report differed by 8 B between a run of 1,000 steps and one of
 * 3,000 (measured), with these it is the same.
 */
let hog: Buffer
let more: Buffer

export function probeHeap(keep: number) {
    hog = Buffer.alloc(20000)
    more = Buffer.alloc(57000)
    console.log("" + hog.length + more.length + keep)
}
