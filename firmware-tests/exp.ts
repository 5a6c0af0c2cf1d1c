import * as ds from "@devicescript/core"

const W = hex`0102030405060708`
class Foo {
    v: number[]
    constructor(n: number) { this.v = [] ; for (let i = 0; i < n; i++) this.v.push(0) }
    step(a: number) { let s = 0; for (let i = 0; i < this.v.length; i++) s += W.getAt(i, "i8") * a; this.v[0] = s; return s }
}
async function main() {
    const ballast: number[][] = []
    for (let i = 0; i < 300; i++) { const a: number[] = []; for (let j = 0; j < 20; j++) a.push(j); ballast.push(a) }
    const f = new Foo(8)
    let x = 0
    let keep: number[] = null
    for (let rep = 0; rep < 3; rep++) {
    await ds.sleep(0)
    let t0 = ds.millis()
    for (let i = 0; i < 400; i++) { x += f.step(i) }
    await ds.sleep(0)
    let t1 = ds.millis()
    for (let i = 0; i < 400; i++) { keep = [i] }
    await ds.sleep(0)
    let t2 = ds.millis()
    for (let i = 0; i < 400; i++) { x += i * 2 }
    await ds.sleep(0)
    let t3 = ds.millis()
    let s = 0
    for (let i = 0; i < 400; i++) { s += Math.pow(2.718281828459045, -i*0.001) }
    await ds.sleep(0)
    let t4 = ds.millis()
    console.log(`call: ${t1 - t0} alloc: ${t2 - t1} plain: ${t3-t2} pow: ${t4-t3} x=${x} ${ballast.length}`)
    }
}
await main()
