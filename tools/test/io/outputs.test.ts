/**
 * Output safety without the CLI: writeOutputFile replaces a file whole or not
 * at all, and checkOutputs refuses an output that is an input by any name, or
 * whose extension or folder is wrong. Failures inside the write are injected
 * into node:fs, since a real disk rarely fails on cue.
 */
import { linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, lstatSync, chmodSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it, vi } from "vitest"
import { modelFiles } from "../../src/import/import-model.ts"
import { writeOutputFile } from "../../src/io/files.ts"
import { type Output, checkOutputs } from "../../src/io/outputs.ts"
import { UserError } from "../../src/core/errors.ts"

/** Which node:fs call fails next, if any. */
const fault = vi.hoisted(() => ({ at: undefined as "write" | "rename" | undefined }))

vi.mock("node:fs", async importOriginal => {
    const fs = await importOriginal<typeof import("node:fs")>()
    const fail = (code: string) => Object.assign(new Error(`injected ${code}`), { code })
    return {
        ...fs,
        // half of the bytes land, then the disk is full: an interrupted write
        writeSync: (fd: number, buffer: Uint8Array, offset = 0, ...rest: unknown[]) => {
            if (fault.at !== "write") return (fs.writeSync as (...a: unknown[]) => number)(fd, buffer, offset, ...rest)
            fs.writeSync(fd, buffer, offset, Math.max(1, Math.floor((buffer.length - offset) / 2)))
            throw fail("ENOSPC")
        },
        renameSync: (from: string, to: string) => {
            if (fault.at === "rename") throw fail("EXDEV")
            fs.renameSync(from, to)
        },
    }
})

afterEach(() => {
    fault.at = undefined
})

const fresh = () => mkdtempSync(join(tmpdir(), "dsrnn-out-"))
const OLD = "the old file, whole\n"
const NEW = "x".repeat(100_000)

describe("writeOutputFile", () => {
    it("writes a new file and an existing one, leaving nothing else in the folder", () => {
        const dir = fresh()
        const out = join(dir, "a.csv")
        writeOutputFile(out, "1\n")
        expect(readFileSync(out, "utf8")).toBe("1\n")
        writeOutputFile(out, NEW)
        expect(readFileSync(out, "utf8")).toBe(NEW)
        writeOutputFile(join(dir, "b.bin"), new Uint8Array([0, 255, 7]))
        expect([...readFileSync(join(dir, "b.bin"))]).toEqual([0, 255, 7])
        expect(readdirSync(dir).sort()).toEqual(["a.csv", "b.bin"])
    })

    for (const at of ["write", "rename"] as const)
        it(`leaves the old file as it was and no temporary file when the ${at} fails`, () => {
            const dir = fresh()
            const out = join(dir, "model.json")
            writeFileSync(out, OLD)
            fault.at = at
            let error: unknown
            try {
                writeOutputFile(out, NEW)
            } catch (e) {
                error = e
            }
            expect(error).toBeInstanceOf(UserError)
            expect((error as Error).message).toBe(`cannot write ${out} (${at === "write" ? "ENOSPC" : "EXDEV"})`)
            expect(readFileSync(out, "utf8")).toBe(OLD)
            expect(readdirSync(dir)).toEqual(["model.json"])
        })

    it("fails without a file when the write of a new one fails", () => {
        const dir = fresh()
        fault.at = "write"
        expect(() => writeOutputFile(join(dir, "new.ts"), NEW)).toThrow(UserError)
        expect(readdirSync(dir)).toEqual([])
    })

    it("writes through a symlink into the file it points to, and keeps that file's permissions", () => {
        const dir = fresh()
        const real = join(dir, "real.csv")
        writeFileSync(real, OLD)
        chmodSync(real, 0o600)
        symlinkSync(real, join(dir, "link.csv"))
        writeOutputFile(join(dir, "link.csv"), NEW)
        expect(lstatSync(join(dir, "link.csv")).isSymbolicLink()).toBe(true)
        expect(readFileSync(real, "utf8")).toBe(NEW)
        expect(statSync(real).mode & 0o777).toBe(0o600)
        expect(readdirSync(dir).sort()).toEqual(["link.csv", "real.csv"])
    })
})

describe("checkOutputs", () => {
    const csvOut = (path: string): Output => ({ path, flag: "--out", what: "a CSV", extensions: [".csv"] })
    const refusal = (f: () => void): string => {
        try {
            f()
        } catch (e) {
            expect(e).toBeInstanceOf(UserError)
            return (e as Error).message
        }
        throw new Error("not refused")
    }

    it("refuses an input by its own name, a symlink, a symlinked folder and a hard link", () => {
        const dir = fresh()
        const input = join(dir, "in.csv")
        writeFileSync(input, OLD)
        mkdirSync(join(dir, "sub"))
        symlinkSync(input, join(dir, "sym.csv"))
        symlinkSync(dir, join(dir, "sub", "up"))
        linkSync(input, join(dir, "hard.csv"))
        expect(refusal(() => checkOutputs("simulate", [csvOut(input)], [input]))).toBe(`--out ${input} is the input ${input}; simulate would overwrite it, give another file`)
        for (const alias of ["sym.csv", "sub/up/in.csv", "hard.csv", "sub/../in.csv"]) {
            const message = refusal(() => checkOutputs("simulate", [csvOut(join(dir, alias))], ["/nonexistent.json", input]))
            expect(message).toContain(`is the input ${input}`)
        }
        expect(refusal(() => checkOutputs("simulate", [csvOut(join(dir, "hard.csv"))], [input]))).toContain("(the same file through a link)")
        expect(readFileSync(input, "utf8")).toBe(OLD)
    })

    it("accepts another existing file, a new file, and inputs that do not exist", () => {
        const dir = fresh()
        writeFileSync(join(dir, "in.csv"), OLD)
        writeFileSync(join(dir, "old.csv"), OLD)
        checkOutputs("simulate", [csvOut(join(dir, "old.csv")), csvOut(join(dir, "new.CSV"))], [join(dir, "in.csv"), join(dir, "missing.json"), undefined])
    })

    it("names the extension that fits, before anything else is checked", () => {
        const out: Output = { path: "nowhere/r.csv", flag: "--out", what: "an HTML page", extensions: [".html", ".htm"] }
        expect(refusal(() => checkOutputs("report", [out], []))).toBe("--out nowhere/r.csv: report writes an HTML page; give a .html or .htm file")
        expect(refusal(() => checkOutputs("report", [{ ...out, path: "report" }], []))).toContain("give a .html or .htm file")
    })

    it("refuses a folder, a missing folder and a file where the folder should be, unless the command makes the folder", () => {
        const dir = fresh()
        mkdirSync(join(dir, "d.csv"))
        writeFileSync(join(dir, "f"), OLD)
        expect(refusal(() => checkOutputs("simulate", [csvOut(join(dir, "d.csv"))], []))).toBe(`--out ${join(dir, "d.csv")} is a folder; give a .csv file`)
        expect(refusal(() => checkOutputs("simulate", [csvOut(join(dir, "no", "o.csv"))], []))).toBe(`cannot write ${join(dir, "no", "o.csv")} (ENOENT: no folder ${join(dir, "no")})`)
        expect(refusal(() => checkOutputs("simulate", [csvOut(join(dir, "f", "o.csv"))], []))).toContain("ENOTDIR")
        checkOutputs("bench", [{ ...csvOut(join(dir, "no", "o.csv")), createsFolder: true }], [])
    })

    // root may write any file, so this runs only as another user, e.g.
    // HOME=/tmp runuser -u nobody -- npx vitest run tools/test/io/outputs.test.ts --configLoader runner
    it.skipIf(process.getuid?.() === 0)("refuses a read-only output, which the rename would replace", () => {
        const dir = fresh()
        writeFileSync(join(dir, "ro.csv"), OLD)
        chmodSync(join(dir, "ro.csv"), 0o444)
        expect(refusal(() => checkOutputs("simulate", [csvOut(join(dir, "ro.csv"))], []))).toContain("EACCES")
    })
})

describe("modelFiles", () => {
    it("lists a TF.js model's weight shards with the model, and only the file for anything else", () => {
        const dir = fresh()
        const model = join(dir, "model.json")
        writeFileSync(model, JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["a.bin", "sub/b.bin"], weights: [] }, { paths: [7, "c.bin"] }, null] }))
        expect(modelFiles(model)).toEqual([model, join(dir, "a.bin"), join(dir, "sub", "b.bin"), join(dir, "c.bin")])
        writeFileSync(join(dir, "bad.json"), "{")
        expect(modelFiles(join(dir, "bad.json"))).toEqual([join(dir, "bad.json")])
        expect(modelFiles(join(dir, "m.onnx"))).toEqual([join(dir, "m.onnx")])
    })
})
