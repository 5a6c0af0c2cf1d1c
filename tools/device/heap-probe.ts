/**
 * Ends a program whose live heap runProgram should report: it holds 20,000
 * bytes, then asks for 57,000 more, which no 64 KB heap has left, so the VM's
 * out-of-memory report gives the heap in use. `keep` is a figure of the
 * program's own objects, printed so that they stay alive up to that point.
 */
export function probeHeap(keep: number) {
    const hog = Buffer.alloc(20000)
    const more = Buffer.alloc(57000)
    console.log("" + hog.length + more.length + keep)
}
