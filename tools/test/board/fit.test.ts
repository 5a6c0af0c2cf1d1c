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
const tinyHeap: BoardProfile = { id: "tiny", name: "tiny heap", arch: "rp2040", heapBytes: 11_200, imageBytes: 110_000, sliceOpcodes: 65_536, firmware: null }

describe("boardFit before training", () => {
    /*
     * Heap of LSTM(u) on 3 inputs + Dense(1), by hand, by the allocation rules of emit/heap.ts (an object 24 B + 16
     * per map slot, slots 4, 5, 6, 7, 8, 10, 12, 15; a number[] 20 B + 8 per slot; a class's prototype 124 B, 220 B
     * with 8 methods, once), with src/'s field counts:
     * app 8,192 + Model (6 fields) 120 + layer list [a, b] 36 + Forecaster (9 fields) 184, its x (3) and y, lower,
     * upper (1), 4 slots each: 4*52 = 208 + scaling (8 fields) 152: 8,892
     * Push capacities: 8 -> 8, 16 -> 20, 32 -> 33, 64 -> 67, 128 -> 135 (4, then floor(len*10/8) at each overflow).
     * As flash matrices: Dense(1) 184 (9 fields) + Affine 184 + Matrix 136 + stage lists 2*(20+8) = 56 + out 52
     * + [] 16 = 628; LSTM fixed: Lstm (15 fields) 264 + two Matrix 272 + Affine 184 + 56 + [out, c] 36 = 812;
     * prototypes of Model 220, Forecaster, Lstm, Affine, Matrix, Dense 5*124 = 840; then four u-arrays (out, c,
     * actC and the i8 grid's hGrid) and the 4u-array g:
     * LSTM(8):  8,892 + 628 + 812 + 840 + 4*(20+64) + (20+264) = 11,792 B
     * LSTM(16): 8,892 + 628 + 812 + 840 + 4*(20+160) + (20+536) = 12,448 B
     * LSTM(32): 8,892 + 628 + 812 + 840 + 4*(20+264) + (20+1,080) = 13,408 B
     * As the CompiledCell build chooses for them: CompiledCell (11 fields) 216, its CellCode (5) 104, [out, c] 36,
     * stage lists 56, three u-arrays (out, next, c); Dense(1) 184 + its Projection 104 + 56 + 52 + 16 = 412;
     * prototypes of Model 220, Forecaster, CompiledCell, CellCode, Dense, Projection 5*124 = 840:
     * LSTM(8):  8,892 + 412 + 412 + 840 + 3*84 = 10,808 B
     * LSTM(16): 8,892 + 412 + 412 + 840 + 3*180 = 11,096 B
     * LSTM(32): 8,892 + 412 + 412 + 840 + 3*284 = 11,408 B
     */
    it("a board with an 11,200 B heap keeps LSTM(8) and LSTM(16) and skips LSTM(32), with the heap as the reason", () => {
        const heap = (arch: string, path: "flash-matrices" | "literal-code") => estimateBudget(planModel(shape(arch), "i8", path), tinyHeap).heapBytes
        expect([heap("lstm:8", "flash-matrices"), heap("lstm:16", "flash-matrices"), heap("lstm:32", "flash-matrices")]).toEqual([11_792, 12_448, 13_408])
        expect([heap("lstm:8", "literal-code"), heap("lstm:16", "literal-code"), heap("lstm:32", "literal-code")]).toEqual([10_808, 11_096, 11_408])
        expect(boardFit(shape("lstm:8"), "i8", tinyHeap, 1000).why).toBeUndefined()
        expect(boardFit(shape("lstm:16"), "i8", tinyHeap, 1000).why).toBeUndefined()
        // no code fits: the last tried, flash matrices, is the reason
        expect(boardFit(shape("lstm:32"), "i8", tinyHeap, 1000).why).toBe("model needs 13,408 B of heap, tiny has 11,200 B; use fewer units or layers")
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
