/**
 * The build stage: compiles generated DeviceScript in a throwaway project
 * (its own .devicescript/ output, the device library linked in as lib/), so
 * concurrent builds never share output files. It takes the user's
 * devsconfig.json, node_modules and custom boards/ when run in their project.
 */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { devs } from "./devs.ts"
import { DEVICE_PROGRAMS, LIBRARY_SRC, NODE_MODULES, projectRoot } from "./paths.ts"
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

    /**
     * Copies the device programs (tools/device/) in, next to a generated
     * params.ts of `params`, which they import; returns the entry's name.
     * What differs between runs is a value there, never code.
     */
    program(entry: string, params: Record<string, Param>): string {
        this.addDevicePrograms()
        this.write("params.ts", paramsModule(params))
        return entry
    }

    /** Copies the device programs in, for a generated program that imports one of them. */
    addDevicePrograms() {
        for (const file of readdirSync(DEVICE_PROGRAMS)) if (file.endsWith(".ts")) copyFileSync(join(DEVICE_PROGRAMS, file), join(this.dir, file))
    }

    /** `devs build` of `entry`; a compile error is a bug in dsrnn's generated code, so it keeps the log. */
    async build(entry: string, extraArgs: string[] = []): Promise<BuiltProgram> {
        const { code, output } = await devs(["build", entry, ...extraArgs], undefined, this.dir)
        if (code !== 0) throw new UserError(`devs build of generated ${entry} failed:\n${output.trim().split("\n").slice(-15).join("\n")}`)
        return { binary: this.builtBinary(), log: output }
    }

    /** The .devs image of the last build here (by build, or by `devs bundle`, which builds first). */
    builtBinary(): Uint8Array {
        return readFileSync(join(this.dir, ".devicescript", "bin", "bytecode.devs"))
    }

    dispose() {
        rmSync(this.dir, { recursive: true, force: true })
    }
}

/**
 * A device program's source (tools/device/`name`), for a copy outside a
 * workspace: its imports of the device library ("./lib/..." in a workspace)
 * then read `library`, the import path of src/ from where the copy goes.
 */
export function deviceSource(name: string, library = WORKSPACE_LIBRARY): string {
    const source = readFileSync(join(DEVICE_PROGRAMS, name), "utf8")
    if (library === WORKSPACE_LIBRARY) return source
    const base = library.replace(/\/index$/, "")
    return source.replace(/ from "\.\/lib\/([\w-]+)"/g, (_, m: string) => ` from "${m === "index" ? library : `${base}/${m}`}"`)
}

/** A value of the params module: a number or a flag, or DeviceScript source for a value (a hex`` literal, say). */
export type Param = number | boolean | string

/** The params module: one `export const` per value. */
function paramsModule(params: Record<string, Param>): string {
    const lines = Object.entries(params).map(([name, v]) => `export const ${name} = ${typeof v === "string" ? v : JSON.stringify(v)}`)
    return `// written by dsrnn for one run\n${lines.join("\n")}\n`
}
