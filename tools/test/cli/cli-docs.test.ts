/**
 * docs/cli.md is the CLI's own --help, so it cannot drift from the commands:
 * a changed option, description or command makes this test fail until
 * `npx tsx tools/scripts/gen-cli-docs.ts` writes the page again.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { CLI_DOCS, cliReference } from "../../scripts/gen-cli-docs.ts"

describe("docs/cli.md", () => {
    it("is what the CLI's --help prints today (rerun tools/scripts/gen-cli-docs.ts)", async () => {
        const page = await cliReference()
        for (const c of ["train", "evaluate", "compile", "build", "record"]) expect(page).toContain(`## dsrnn ${c}\n`)
        expect(page).toContain("Usage: dsrnn train [options] <data.csv>")
        expect(readFileSync(CLI_DOCS, "utf8")).toBe(page)
    })
})
