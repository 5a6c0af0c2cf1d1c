/**
 * Times sigmoid candidates per element in the VM (no GC stress), in
 * interleaved rounds: Math.pow (the C builtin the library uses), Math.exp (a
 * bytecode function: one heap frame per call), a table of f32 values in flash
 * with linear interpolation (step 1/32 over [-16, 16]), and a clamped
 * rational approximation (Padé 7/6 of tanh). Prints the median time per
 * element above an empty loop, and each candidate's max error against float64.
 * Run: npx tsx tools/scripts/activation-bench.ts
 */
import { runProgram } from "../src/run/vm.ts"
import { Workspace } from "../src/run/workspace.ts"

const STEP = 1 / 32
const LO = -16
const N = 128
const ROUNDS = 5
const table: number[] = []
for (let x = LO; x <= -LO + 1e-9; x += STEP) table.push(1 / (1 + Math.exp(-x)))
const CANDIDATES = ["empty loop", "Math.pow", "Math.exp", "flash table + lerp", "rational (Padé 7/6 of tanh)"]

const program = `import * as ds from "@devicescript/core"
const E = 2.718281828459045
const T = hex\`${Buffer.from(new Float32Array(table).buffer).toString("hex")}\`
const out = Buffer.alloc(8)
const v: number[] = []
for (let i = 0; i < ${N}; i++) v.push(0)
function fill(i0: number) {
    for (let i = 0; i < ${N}; i++) v[i] = (i - 64 + i0) / 8
}
function viaPow() {
    for (let j = 0; j < ${N}; j++) v[j] = 1 / (1 + Math.pow(E, -v[j]))
}
function viaExp() {
    for (let j = 0; j < ${N}; j++) v[j] = 1 / (1 + Math.exp(-v[j]))
}
function viaTable() {
    for (let j = 0; j < ${N}; j++) {
        const p = Math.min(${table.length - 1.000001}, Math.max(0, (v[j] + ${-LO}) * ${1 / STEP}))
        const i = Math.floor(p)
        const a = T.getAt(4 * i, "f32")
        v[j] = a + (T.getAt(4 * i + 4, "f32") - a) * (p - i)
    }
}
function viaRational() {
    for (let j = 0; j < ${N}; j++) {
        const x = Math.min(9, Math.max(-9, 0.5 * v[j]))
        const x2 = x * x
        v[j] = 0.5 + (0.5 * x * (135135 + x2 * (17325 + x2 * (378 + x2)))) / (135135 + x2 * (62370 + x2 * (3150 + 28 * x2)))
    }
}
function run(k: number) {
    if (k === 1) viaPow()
    else if (k === 2) viaExp()
    else if (k === 3) viaTable()
    else if (k === 4) viaRational()
}
async function time(k: number) {
    await ds.sleep(0)
    const t0 = ds.millis()
    let n = 0
    while (ds.millis() - t0 < 200) {
        for (let r = 0; r < 5; r++) {
            fill(0)
            run(k)
        }
        n += 5
        await ds.sleep(0)
    }
    return ((ds.millis() - t0) * 1000) / n / ${N}
}
async function main() {
    // errors: x from -20 to 20 in steps of 1/8, against the host's float64
    for (let k = 1; k < ${CANDIDATES.length}; k++) {
        for (let i0 = -96; i0 <= 96; i0 += 128) {
            fill(i0)
            run(k)
            for (let j = 0; j < ${N}; j++) {
                // f64 bits in hex: a printed number keeps only a few digits
                out.setAt(0, "f64", v[j])
                console.log("V " + k + " " + (j - 64 + i0) / 8 + " " + out.toString("hex"))
            }
        }
    }
    for (let r = 0; r < ${ROUNDS}; r++) for (let k = 0; k < ${CANDIDATES.length}; k++) console.log("R " + k + " " + (await time(k)))
    console.log("DONE")
}
await main()
`

const ws = new Workspace()
try {
    ws.write("main.ts", program)
    const { binary } = await ws.build("main.ts")
    const { lines } = await runProgram(binary, { timeoutMs: 300_000, done: l => l === "DONE" })
    const median = (k: number) => {
        const t = lines.filter(l => l.startsWith(`R ${k} `)).map(l => +l.split(" ")[2]).sort((a, b) => a - b)
        return t[t.length >> 1]
    }
    const maxError = (k: number) =>
        Math.max(
            ...lines
                .filter(l => l.startsWith(`V ${k} `))
                .map(l => l.split(" "))
                .map(([, , x, hex]) => Math.abs(Buffer.from(hex, "hex").readDoubleLE(0) - 1 / (1 + Math.exp(-Number(x)))))
        )
    for (let k = 1; k < CANDIDATES.length; k++)
        console.log(`${CANDIDATES[k].padEnd(28)} ${((median(k) - median(0)) * 1000).toFixed(0).padStart(5)} ns/element above an empty loop, max error ${maxError(k).toExponential(1)}`)
} finally {
    ws.dispose()
}
process.exit(0)
