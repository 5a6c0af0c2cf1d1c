import * as ds from "@devicescript/core"
import { lstmF32 } from "./fixtures/lstm_f32.g"
import { zeros } from "../src/index"

function noop(i: number) { return i }
let sink: number[] = null
const BATCH = 20
async function timeLoop(kind: number, batches: number) {
    const m = lstmF32.model
    const x = [0.1, 0.2, 0.3]
    const y = [0]
    await ds.sleep(0)
    const t0 = ds.millis()
    for (let b = 0; b < batches; b++) {
        for (let i = 0; i < BATCH; i++) {
            if (kind === 1) m.step(x, y)
            else if (kind === 2) sink = [i]
            else if (kind === 3) noop(i)
        }
        await ds.sleep(0)
    }
    return (ds.millis() - t0) / (batches * BATCH)
}
function makeBallast(n: number) { const a: number[][] = []; for (let i = 0; i < n; i++) a.push([i, i]); return a }
let ballast: number[][] = null
for (let rep = 0; rep < 3; rep++) {
    const res: number[] = []
    for (const size of [50, 1200]) {
        ballast = null
        ballast = makeBallast(size)
        await ds.sleep(0)
        res.push(await timeLoop(0, 20)); res.push(await timeLoop(1, 20)); res.push(await timeLoop(2, 60)); res.push(await timeLoop(3, 60))
    }
    const g = (res[6] - res[4]) - (res[2] - res[0])
    const k = ((res[5] - res[4]) - (res[1] - res[0])) / g
    const kn = ((res[7] - res[4]) - (res[3] - res[0])) / g
    console.log(`${res.map(v => Math.round(v * 1000)).join(" ")} k=${k} noop=${kn}`)
}
