import * as ds from "@devicescript/core"
let head: any[] = null
for (let i = 0; i < 100000; i++) { head = [head, Buffer.alloc(100)]; if (i % 50 === 0) await ds.sleep(0) }
