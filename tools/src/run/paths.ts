/**
 * Where things are. dsrnn runs in two places: inside this repository, and
 * installed into a user's own DeviceScript project (node_modules/devicescript-rnn).
 * What ships in the package (the device library in src/, boards/, services/)
 * is found from this file; what belongs to the user (devsconfig.json, their
 * src/, their node_modules) is found from the working directory.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, parse, relative } from "node:path"
import { fileURLToPath } from "node:url"

export const PACKAGE_NAME = "devicescript-rnn"

function packageNameAt(dir: string): string | undefined {
    try {
        return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name
    } catch {
        return undefined
    }
}

/** The nearest folder at or above `start` for which `test` holds, or undefined. */
function findUp(start: string, test: (dir: string) => boolean): string | undefined {
    for (let dir = start; ; dir = dirname(dir)) {
        if (test(dir)) return dir
        if (dir === parse(dir).root) return undefined
    }
}

// Found by walking up, not by a fixed "../..": the same code runs from
// tools/src/run/ under tsx and from the bundled tools/dist/.
const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = findUp(here, dir => packageNameAt(dir) === PACKAGE_NAME)
if (!packageRoot) throw new Error(`dsrnn: cannot find the ${PACKAGE_NAME} package above ${here}`)

/** The installed package: the device library (src/), boards/ and services/. */
export const PACKAGE_ROOT: string = packageRoot

/** The device library's folder, which every generated program imports. */
export const LIBRARY_SRC = join(PACKAGE_ROOT, "src")

/** The harness programs (simulate, bench, opcode count, soak) as DeviceScript files, which a Workspace copies in. */
export const DEVICE_PROGRAMS = join(PACKAGE_ROOT, "tools", "device")

/**
 * The user's DeviceScript project: the nearest folder at or above `cwd` with
 * a devsconfig.json (what `devs init` writes), or `cwd` itself.
 */
export function projectRoot(cwd = process.cwd()): string {
    return findUp(cwd, dir => existsSync(join(dir, "devsconfig.json"))) ?? cwd
}

/** True when `project` is this repository itself rather than a project that installed it. */
export function isThisPackage(project: string): boolean {
    return realpathSync(project) === realpathSync(PACKAGE_ROOT)
}

/**
 * The node_modules folder that holds @devicescript/cli: the package's own in
 * this repository, the user's (where npm hoists it) in their project.
 * `devs build` writes @devicescript/core and friends there.
 */
export const NODE_MODULES: string = (() => {
    const cli = createRequire(import.meta.url).resolve("@devicescript/cli/built/devicescript-cli.cjs")
    return findUp(dirname(cli), dir => parse(dir).base === "node_modules") ?? join(PACKAGE_ROOT, "node_modules")
})()

/**
 * How a module written to `outFile` imports the device library: by package
 * name in a user's project (so `devs build` takes it from node_modules), by
 * relative path inside this repository.
 */
export function libraryImportFor(outFile: string, project = projectRoot()): string {
    if (!isThisPackage(project) && relative(PACKAGE_ROOT, outFile).startsWith("..")) return PACKAGE_NAME
    const rel = relative(dirname(outFile), join(LIBRARY_SRC, "index")).replace(/\\/g, "/")
    return rel.startsWith(".") ? rel : `./${rel}`
}
