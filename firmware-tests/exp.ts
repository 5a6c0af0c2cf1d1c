import * as ds from "@devicescript/core"
import { lstmF32 } from "./fixtures/lstm_f32.g"
const m = lstmF32.model
const x = [0.1, 0.2, 0.3]
const y = [0]
await ds.sleep(0)
const t0 = ds.millis()
for (let b = 0; b < 50; b++) { for (let i = 0; i < 20; i++) m.step(x, y); await ds.sleep(0) }
console.log(`BENCH us/step ${(ds.millis() - t0)}`)
