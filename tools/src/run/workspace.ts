/**
 * The build stage: compiles generated DeviceScript in a throwaway project
 * (its own .devicescript/ output, the device library linked in as lib/), so
 * concurrent builds never share output files. It takes the user's
 * devsconfig.json, node_modules and custom boards/ when run in their project.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { devs } from "./devs.ts"
import { LIBRARY_SRC, NODE_MODULES, projectRoot } from "./paths.ts"
import { UserError } from "../core/errors.ts"

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

    constructor(project = projectRoot()) {
        this.dir = mkdtempSync(join(tmpdir(), "dsrnn-"))
        symlinkSync(NODE_MODULES, join(this.dir, "node_modules"))
        symlinkSync(LIBRARY_SRC, join(this.dir, "lib"))
        const config = join(project, "devsconfig.json")
        if (existsSync(config)) copyFileSync(config, join(this.dir, "devsconfig.json"))
        else writeFileSync(join(this.dir, "devsconfig.json"), "{}\n")
        copyFileSync(join(LIBRARY_SRC, "tsconfig.json"), join(this.dir, "tsconfig.json"))
        const boards = join(project, "boards")
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
