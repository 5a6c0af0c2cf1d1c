/**
 * Drives the DeviceScript VM (the WASM build of the C runtime that ships
 * inside @devicescript/cli) directly from Node: the same interpreter as
 * `devs run`, but with GC stress off, as a device runs, and with every
 * console line handed to the caller.
 */
import { readFileSync } from "node:fs"
import { dirname } from "node:path"
import { createRequire } from "node:module"
import { UserError } from "../core/errors.ts"

const require = createRequire(import.meta.url)
const CLI = require.resolve("@devicescript/cli/built/devicescript-cli.cjs")
const VM_MODULE = '"runtime/devicescript-vm/built/devicescript-vm.js"(exports, module2) {'

interface VmInstance {
    dmesg: (s: string) => void
    sendPacket: (pkt: Uint8Array) => void
    panicHandler: (code: number) => void
    error: (...args: unknown[]) => void
    devsStop(): void
    devsStart(): void
    devsGcStress(on: boolean): void
    devsSetDeviceId(id: string): void
    devsDeploy(binary: Uint8Array): number
    flashSize?: number
}

type VmFactory = () => Promise<VmInstance>
let factory: VmFactory | undefined

/** The VM is a self-contained CommonJS module inside the CLI bundle; evaluate just that module. */
function loadFactory(): VmFactory {
    if (factory) return factory
    const bundle = readFileSync(CLI, "utf8")
    const start = bundle.indexOf(VM_MODULE)
    const end = bundle.indexOf("\n  }\n});", start)
    if (start < 0 || end < 0) throw new Error(`cannot find the VM module in ${CLI}; is @devicescript/cli 2.16.4 installed?`)
    const body = bundle.slice(start + VM_MODULE.length, end)
    const module2 = { exports: {} as unknown }
    // The module logs panics on stdout; runProgram reports them itself, so its console stays quiet.
    const quiet = { ...console, log: () => {}, debug: () => {}, info: () => {} }
    new Function("exports", "module2", "require", "__filename", "__dirname", "console", body)(module2.exports, module2, require, CLI, dirname(CLI), quiet)
    factory = module2.exports as VmFactory
    return factory
}

export interface VmRunOptions {
    /** Every collection at every allocation, as `devs run --test` does. */
    gcStress?: boolean
    timeoutMs: number
    /** Called with each line the program prints (console.log and friends). */
    onLine?: (line: string) => void
    /** Resolve as soon as a printed line makes this return true. */
    done?: (line: string) => boolean
    /** Resolve (not reject) when the program panics, e.g. a deliberate out-of-memory. */
    allowPanic?: boolean
    /**
     * Size of the simulated flash that holds the program image. The default,
     * 128 KB, runs images up to about 110 KB, as an RP2040 does (measured:
     * 108,928 B ran, 115,072 B did not); 512 KB runs 180 KB and more.
     */
    flashBytes?: number
}

export interface VmRunResult {
    lines: string[]
    /** The VM's heap report, printed when it runs out of memory. */
    heap?: { used: number; free: number }
    panic?: number
}

const PRINT_PREFIX = /^> ?/

/**
 * Instantiates the VM once, so that the first runProgram does not pay for
 * compiling its WASM (~0.8 s, later instances take ~20 ms); meant to run
 * while a build is under way.
 */
export async function warmUpVm(): Promise<void> {
    await loadFactory()()
}

/** Runs a compiled program (.devs bytes) until `done` says so; a panic or a timeout rejects. */
export async function runProgram(binary: Uint8Array, opts: VmRunOptions): Promise<VmRunResult> {
    // One VM per process: the WASM module keeps global state.
    const vm = await loadFactory()()
    const lines: string[] = []
    return new Promise((resolve, reject) => {
        let finished = false
        let heap: VmRunResult["heap"]
        let panic: number | undefined
        const finish = (err?: Error) => {
            if (finished) return
            finished = true
            clearTimeout(timer)
            vm.devsStop()
            if (err) reject(err)
            else resolve({ lines, heap, panic })
        }
        const timer = setTimeout(() => finish(new UserError(`the simulator did not finish within ${opts.timeoutMs} ms`)), opts.timeoutMs)
        vm.sendPacket = () => {}
        if (opts.flashBytes) vm.flashSize = opts.flashBytes
        vm.error = (...args) => finish(new Error(`simulator error: ${args.join(" ")}`))
        vm.panicHandler = code => {
            if (!code) return
            panic = code
            if (opts.allowPanic) finish()
            else finish(new UserError(`the program stopped with panic ${code}: ${lines.slice(-3).join(" | ")}`))
        }
        vm.dmesg = (s: string) => {
            const stats = /stats: \d+ objects, (\d+) B used, (\d+) B free/.exec(s)
            if (stats) heap = { used: +stats[1], free: +stats[2] }
            if (!PRINT_PREFIX.test(s)) {
                if (/Exception|PANIC|at \w+ \[/.test(s)) lines.push(s)
                return
            }
            const line = s.replace(PRINT_PREFIX, "")
            lines.push(line)
            opts.onLine?.(line)
            if (opts.done?.(line)) finish()
        }
        vm.devsStop()
        vm.devsGcStress(!!opts.gcStress)
        vm.devsSetDeviceId("12abdd2289421234")
        vm.devsStart()
        const rc = vm.devsDeploy(binary)
        if (rc) finish(new Error(`the simulator refused the program (deploy code ${rc})`))
    })
}
