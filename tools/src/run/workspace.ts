/**
 * The build stage: compiles generated DeviceScript in a throwaway project
 * (its own devsconfig.json and .devicescript/ output, the repo's node_modules
 * and src/ linked in), so concurrent builds never share output files.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { PROJECT_ROOT, devs } from "./devs.ts"
import { UserError } from "../model/errors.ts"

/** Import path of the device library from a file at the workspace root. */
export const WORKSPACE_LIBRARY = "./lib/index"

export interface BuiltProgram {
    /** The .devs image the VM runs. */
    binary: Uint8Array
    /** Compiler output, for size reports. */
    log: string
}

export class Workspace {
    readonly dir: string

    constructor() {
        this.dir = mkdtempSync(join(tmpdir(), "dsrnn-"))
        symlinkSync(join(PROJECT_ROOT, "node_modules"), join(this.dir, "node_modules"))
        symlinkSync(join(PROJECT_ROOT, "src"), join(this.dir, "lib"))
        writeFileSync(join(this.dir, "devsconfig.json"), "{}\n")
        copyFileSync(join(PROJECT_ROOT, "src", "tsconfig.json"), join(this.dir, "tsconfig.json"))
        const boards = join(PROJECT_ROOT, "boards")
        if (existsSync(boards)) symlinkSync(boards, join(this.dir, "boards"))
    }

    write(name: string, source: string): string {
        const file = join(this.dir, name)
        mkdirSync(dirname(file), { recursive: true })
        writeFileSync(file, source)
        return file
    }

    /** `devs build` of `entry`; a compile error is a bug in dsrnn's generated code, so it keeps the log. */
    async build(entry: string, extraArgs: string[] = []): Promise<BuiltProgram> {
        const { code, output } = await devs(["build", entry, ...extraArgs], undefined, this.dir)
        if (code !== 0) throw new UserError(`devs build of generated ${entry} failed:\n${output.trim().split("\n").slice(-15).join("\n")}`)
        return { binary: readFileSync(join(this.dir, ".devicescript", "bin", "bytecode.devs")), log: output }
    }

    dispose() {
        rmSync(this.dir, { recursive: true, force: true })
    }
}
