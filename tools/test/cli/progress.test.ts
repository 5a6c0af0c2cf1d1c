/** The progress report: plain lines with rows/s and time left when stderr is not a terminal. */
import { afterEach, describe, expect, test, vi } from "vitest"
import { progressBar } from "../../src/cli/progress.ts"

function fakeStream() {
    const written: string[] = []
    return { written, stream: { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream }
}

describe("progress on a pipe", () => {
    afterEach(() => vi.useRealTimers())

    test("a line every 5 s with the rate since the first report", () => {
        vi.useFakeTimers()
        const { written, stream } = fakeStream()
        const p = progressBar("simulating", "rows", 10_000, stream)
        vi.advanceTimersByTime(8_000) // set-up: not counted in the rate
        p.update(0)
        vi.advanceTimersByTime(2_000)
        p.update(2_000)
        expect(written).toEqual([])
        vi.advanceTimersByTime(4_000)
        p.update(6_000)
        expect(written).toEqual(["simulating: 6000/10000 rows, 1000 rows/s, about 4 s left\n"])
        p.update(10_000)
        p.stop()
        expect(written.length).toBe(1)
    })
})
