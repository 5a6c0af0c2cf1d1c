/** The one line splitter of process output (devs runs and the deploy's devs processes). */
import { describe, expect, test } from "vitest"
import { lineSplitter } from "../../src/run/devs.ts"

describe("lineSplitter", () => {
    test("a line cut across chunks arrives whole, colour codes removed; the text of each chunk comes back", () => {
        const lines: string[] = []
        const split = lineSplitter(l => lines.push(l))
        const texts = ["> dsrnn: t=0 y=[1", "] anomaly=0\n\x1b[32mok\x1b[0m\n", "no end yet"].map(s => split(Buffer.from(s)))
        expect(lines).toEqual(["> dsrnn: t=0 y=[1] anomaly=0", "ok"])
        expect(texts.join("")).toBe("> dsrnn: t=0 y=[1] anomaly=0\nok\nno end yet")
        split(Buffer.from("\n"))
        expect(lines.at(-1)).toBe("no end yet")
    })
})
