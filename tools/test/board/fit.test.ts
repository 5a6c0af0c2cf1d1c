/**
 * --arch auto's board check before training (board/fit.ts on
 * train/arch-search.ts's shapeModel): heap figures worked out by hand from
 * the allocation rules budget.ts documents, and the step-time rule at the
 * emulated Pico's 591 cycles per opcode at 125 MHz.
 */
import { describe, expect, it } from "vitest"
import type { BoardProfile } from "../../src/board/boards.ts"
import { getBoard } from "../../src/board/boards.ts"
import { estimateBudget } from "../../src/board/budget.ts"
import { planModel } from "../../src/emit/plan.ts"
import { boardFit, stepMs } from "../../src/board/fit.ts"
import { validateModel } from "../../src/model/validate.ts"
import { parseArch } from "../../src/train/options.ts"
import { shapeModel } from "../../src/train/arch-search.ts"

const shape = (arch: string, inputs = 3) => shapeModel(parseArch(arch), inputs)
const tinyHeap: BoardProfile = { id: "tiny", name: "tiny heap", arch: "rp2040", heapBytes: 10_000, imageBytes: 110_000, sliceOpcodes: 65_536, firmware: null }

describe("boardFit before training", () => {
    /*
     * Heap of LSTM(u) on 3 inputs + Dense(1), by hand:
     * app 8,192 + model object 32+16*4 = 96 + layer list 20+8*2 = 36
     * + x and y buffers 2*(20+8*4) + 2*(20+8*4) = 208 (push capacity of 1 and 3 is 4)
     * + Dense(1): object 32+16*10 = 192, one matrix 32+16*5 = 112, two stage lists 2*(20+8) = 56, out 20+8*4 = 52, [] 20: 432
     * Push capacities: 8 -> 8, 16 -> 20, 32 -> 33, 64 -> 67, 128 -> 135 (4, then floor(len*10/8) at each overflow).
     * As flash matrices, LSTM fixed: 192 + two matrices 224 + gates 96 + 56 = 568, four u-arrays (out, c, actC
     * and the i8 grid's hGrid), one 4u-array, [a, b] 36:
     * LSTM(8):  568 + 4*(20+64) + (20+264) + 36 = 1,224 -> 10,188 B
     * LSTM(16): 568 + 4*(20+160) + (20+536) + 36 = 1,880 -> 10,844 B
     * LSTM(32): 568 + 4*(20+264) + (20+1,080) + 36 = 2,840 -> 11,804 B
     * As the CompiledCell build chooses for them: object 32+16*11 = 208, its code 32+16*5 = 112, three
     * u-arrays (out, next, c), [a, b] 36, two stage lists 56:
     * LSTM(8):  208 + 112 + 3*84 + 36 + 56 = 664 -> 9,628 B
     * LSTM(16): 208 + 112 + 3*180 + 36 + 56 = 952 -> 9,916 B
     * LSTM(32): 208 + 112 + 3*284 + 36 + 56 = 1,264 -> 10,228 B
     */
    it("a board with a 10,000 B heap keeps LSTM(8) and LSTM(16) and skips LSTM(32), with the heap as the reason", () => {
        const heap = (arch: string, path: "flash-matrices" | "literal-code") => estimateBudget(planModel(shape(arch), "i8", path), tinyHeap).heapBytes
        expect([heap("lstm:8", "flash-matrices"), heap("lstm:16", "flash-matrices"), heap("lstm:32", "flash-matrices")]).toEqual([10_188, 10_844, 11_804])
        expect([heap("lstm:8", "literal-code"), heap("lstm:16", "literal-code"), heap("lstm:32", "literal-code")]).toEqual([9_628, 9_916, 10_228])
        expect(boardFit(shape("lstm:8"), "i8", tinyHeap, 1000).why).toBeUndefined()
        expect(boardFit(shape("lstm:16"), "i8", tinyHeap, 1000).why).toBeUndefined()
        // no code fits: the last tried, flash matrices, is the reason
        expect(boardFit(shape("lstm:32"), "i8", tinyHeap, 1000).why).toBe("model needs 11,804 B of heap, tiny has 10,000 B; use fewer units or layers")
        // the real Pico's 64 KB holds all three
        expect(boardFit(shape("lstm:32"), "i8", getBoard("pico"), 1000).why).toBeUndefined()
    })

    it("an image over the board's is the reason a large model is skipped", () => {
        // LSTM(128) on 3 inputs: 4*128*131 = 67,072 weights, f32 4 B each as flash literals: over 110,000 B with any code
        const why = boardFit(shape("lstm:128"), "f32", getBoard("pico"), 1000).why
        expect(why).toMatch(/^model needs [\d,]+ B of image, pico allows 110,000 B/)
    })

    it("steps at 591 cycles per opcode and 125 MHz on the RP2040, and has no speed figure for the ESP32", () => {
        // 125,000 opcodes * 591 cycles / 125e6 Hz = 0.591 s
        expect(stepMs(125_000, getBoard("pico"))).toBeCloseTo(591, 9)
        expect(stepMs(125_000, getBoard("pico_w"))).toBeCloseTo(591, 9)
        expect(stepMs(125_000, getBoard("esp32_devkit_c"))).toBeUndefined()
    })

    it("skips a model whose step takes longer than the period, and keeps it at a period just longer", () => {
        const pico = getBoard("pico")
        const m = shape("lstm:32")
        const { stepMs: ms } = boardFit(m, "i8", pico, 1000)
        // the opcode figure is the build's estimate for the code it would choose: LSTM(32) i8 takes whole-cell code
        expect(ms).toBeCloseTo((1000 * estimateBudget(planModel(m, "i8", "literal-code"), pico).stepOpcodes * 591) / 125e6, 9)
        expect(boardFit(m, "i8", pico, ms! * 1.01).why).toBeUndefined()
        expect(boardFit(m, "i8", pico, ms! * 0.99).why).toMatch(/^a step takes ~[\d,]+ ms \([\d,]+ opcodes, estimated\), more than the [\d.,]+ ms period$/)
        // no figure: the step time is not checked
        expect(boardFit(m, "i8", getBoard("esp32_devkit_c"), 0.001)).toEqual({ stepMs: undefined })
    })

    it("shapeModel is a valid model of the asked shape whose biases count in the image", () => {
        const m = validateModel(shape("lstm:4,gru:2", 5))
        expect(m.layers.map(l => [l.type, l.inputSize, l.units])).toEqual([["lstm", 5, 4], ["gru", 4, 2], ["dense", 2, 1]])
        // i8 image of Wx, Wh (1 B each plus a 4 B scale per row) and bx (4 B each), as budget.ts adds them up, next to zero biases
        const zeroBias = structuredClone(m)
        for (const l of zeroBias.layers) if (l.type === "dense") l.b = [0]; else l.bx = l.bx.map(() => 0)
        const image = (x: typeof m) => estimateBudget(planModel(x, "i8", "flash-matrices"), getBoard("pico")).imageBytes
        // LSTM bx 16*4 + GRU bx 6*4 + dense b 4 = 92 B
        expect(image(m) - image(zeroBias)).toBe(92)
    })
})
