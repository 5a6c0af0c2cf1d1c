/**
 * dsrnn: from a trained recurrent model to DeviceScript on a board.
 * Each command is a thin shell over the pipeline stages; user mistakes are
 * UserErrors, printed as one line with a non-zero exit code.
 */
import { basename, join, relative, resolve } from "node:path"
import { Command, CommanderError } from "commander"
import { BOARD_BENCH_FILES, bench, formatBench, writeBoardBench } from "../run/bench.ts"
import { getBoard } from "../board/boards.ts"
import { libraryImportFor, projectRoot } from "../run/paths.ts"
import { registerBoardCommands } from "./board-commands.ts"
import { registerRecordCommand } from "./record-command.ts"
import { progressBar } from "./progress.ts"
import { registerTrainCommands } from "./train-commands.ts"
import { formatReport, compileToFile } from "./compile.ts"
import { quantizationReport } from "../model/quantize.ts"
import { type SpecializeMode, type UnrollMode, choosePlan } from "../emit/plan.ts"
import { writeOutputCsv } from "../io/csv.ts"
import { readModelInputs } from "../io/columns.ts"
import { delimiterOption, printNotes, specializeOption, targetOption, unrollOption, weightsOption } from "./options.ts"
import { benchOnPico, formatPicoBench } from "../pico/bench.ts"
import { TARGET_LABEL, type Target, simulateTarget } from "../pico/target.ts"
import { UserError } from "../core/errors.ts"
import { count } from "../core/wording.ts"
import { importModel, modelFiles } from "../import/import-model.ts"
import { checkOutputs } from "../io/outputs.ts"
import type { Encoding } from "../model/quantize.ts"
import { ReferenceModel } from "../model/reference.ts"
import { simulate } from "../run/simulate.ts"

/** Max and RMS of the element-wise difference of two equally shaped tables. */
export function compareOutputs(a: number[][], b: number[][]): { maxAbs: number; rms: number } {
    let maxAbs = 0
    let sum = 0
    let n = 0
    a.forEach((row, t) =>
        row.forEach((v, j) => {
            const d = Math.abs(v - b[t][j])
            maxAbs = Math.max(maxAbs, d)
            sum += d * d
            n++
        })
    )
    return { maxAbs, rms: Math.sqrt(sum / Math.max(1, n)) }
}

function buildProgram(): Command {
    const program = new Command()
        .name("dsrnn")
        .description("Compile recurrent networks (RNN, LSTM, GRU) from TensorFlow.js/Keras and ONNX to DeviceScript, and check them in the simulator.")
        .showHelpAfterError("(add --help for usage)")
        .exitOverride()

    program
        .command("compile")
        .description("import a model, quantize its weights and write a DeviceScript module exporting `model`")
        .argument("<model>", "TF.js model.json, PyTorch .onnx export, or dsrnn model .json")
        .addOption(weightsOption())
        .requiredOption("-o, --out <file.ts>", "where to write the DeviceScript module (under src/ or firmware-tests/)")
        .addOption(specializeOption())
        .addOption(unrollOption())
        .addHelpText("after", "\nExample:\n  npx dsrnn compile model/model.json --weights i8 --out src/model.g.ts")
        .action(async (modelPath: string, opts: { weights: Encoding; out: string; specialize: SpecializeMode; unroll: UnrollMode }) => {
            checkOutputs("compile", [{ path: opts.out, flag: "--out", what: "a DeviceScript module", extensions: [".ts"] }], modelFiles(modelPath))
            const model = await importModel(modelPath)
            compileToFile(choosePlan(model, opts.weights, undefined, opts).plan, opts.out, basename(modelPath))
            console.log(formatReport(quantizationReport(model, opts.weights), opts.weights))
            console.log(`wrote ${opts.out}: ${model.layers.map(l => `${l.type}(${l.units})`).join(" > ")}, ${count(model.inputSize, "input")}, ${count(model.outputSize, "output")}, ${opts.weights} weights`)
        })

    program
        .command("simulate")
        .description("run the model in the DeviceScript simulator, one step per CSV row from zero state")
        .argument("<model>", "TF.js model.json, PyTorch .onnx export, or dsrnn model .json")
        .requiredOption("-i, --input <in.csv>", "header row, then one row per step with a column for each of the model's inputNames, in any order (other columns are skipped); a model without names takes the columns in order")
        .requiredOption("-o, --output <out.csv>", "one row per input row, header y0,y1,...")
        .addOption(weightsOption())
        .addOption(specializeOption())
        .addOption(unrollOption())
        .addOption(targetOption())
        .option("--reference", "write the host float64 reference instead of running the simulator")
        .option("--compare", "also print max and RMS error between simulator and float64 reference")
        .addOption(delimiterOption())
        .addHelpText("after", "\nExample:\n  npx dsrnn simulate model.onnx --input series.csv --output pred.csv --compare")
        .action(async (modelPath: string, opts: { input: string; output: string; weights: Encoding; specialize: SpecializeMode; unroll: UnrollMode; target: Target; reference?: boolean; compare?: boolean; delimiter?: string }) => {
            checkOutputs("simulate", [{ path: opts.output, flag: "--output", what: "a CSV of the model's outputs", extensions: [".csv"] }], [...modelFiles(modelPath), opts.input])
            const model = await importModel(modelPath)
            const { rows, times, notes } = readModelInputs(opts.input, model, opts.delimiter)
            printNotes(notes)
            const reference = () => new ReferenceModel(model).run(rows, times)
            if (opts.reference) {
                writeOutputCsv(opts.output, reference())
                console.log(`wrote ${rows.length} float64 reference rows to ${opts.output}`)
                return
            }
            const progress = progressBar(`simulating (${TARGET_LABEL[opts.target]})`, "rows", rows.length)
            const outputs = await simulate(model, rows, {
                encoding: opts.weights,
                target: simulateTarget(opts.target),
                plan: choosePlan(model, opts.weights, undefined, opts).plan,
                onProgress: done => progress.update(done),
                times,
            }).finally(() => progress.stop())
            writeOutputCsv(opts.output, outputs)
            console.log(`wrote ${count(outputs.length, "row")} from ${TARGET_LABEL[opts.target]} (${opts.weights} weights) to ${opts.output}`)
            if (opts.compare) {
                const { maxAbs, rms } = compareOutputs(outputs, reference())
                console.log(`simulator vs float64 reference: max error ${maxAbs.toExponential(3)}, RMS error ${rms.toExponential(3)}`)
            }
        })
    program
        .command("bench")
        .description("time our step against a naive DeviceScript implementation in one simulator run, without GC stress")
        .argument("<model>", "TF.js model.json, PyTorch .onnx export, or dsrnn model .json")
        .addOption(weightsOption())
        .addOption(specializeOption())
        .addOption(unrollOption())
        .addOption(targetOption())
        .option("--json", "print the figures as one JSON object")
        .option("-b, --board <id>", "instead, write a benchmark program to flash to this board (it prints the figures on its console)")
        .option("-o, --out <dir>", "with --board: where to write it (default src/bench-<board>)")
        .addHelpText("after", "\nWith --target pico, every code path (naive, flash matrices, unrolled flash, specialised) is stepped side by side on the emulated Pico firmware: emulated cycles and ms per step at 125 MHz, opcodes, cycles per opcode, live heap.\n\nExamples:\n  npx dsrnn bench model.json --weights i8\n  npx dsrnn bench model.json --target pico\n  npx dsrnn bench model.json --board pico")
        .action(async (modelPath: string, opts: { weights: Encoding; specialize: SpecializeMode; unroll: UnrollMode; target: Target; json?: boolean; board?: string; out?: string }) => {
            const board = opts.board === undefined ? undefined : getBoard(opts.board)
            if (opts.out !== undefined && !board) throw new UserError(`--out ${opts.out} needs --board: bench writes files only for a board`)
            if (board && opts.target !== "host") throw new UserError(`--board ${board.id} writes a benchmark program for a real board; it cannot be combined with --target ${opts.target}`)
            const dir = board && resolve(opts.out ?? join(projectRoot(), "src", `bench-${board.id}`))
            if (dir) checkOutputs("bench", BOARD_BENCH_FILES.map(f => ({ path: join(dir, f), flag: "--out", what: "a benchmark program", extensions: [".ts"], createsFolder: true })), modelFiles(modelPath))
            const model = await importModel(modelPath)
            if (opts.target === "pico") {
                const figures = await benchOnPico(model, opts.weights, s => console.error(`${s}...`))
                console.log(opts.json ? JSON.stringify(figures) : formatPicoBench(figures))
                return
            }
            const { plan } = choosePlan(model, opts.weights, undefined, opts)
            if (board && dir) {
                const files = await writeBoardBench(plan, dir, libraryImportFor(join(dir, "main.ts")), board.imageBytes)
                console.log(`wrote ${files.dir}/main.ts: ${files.imageBytes} B of image of ${board.imageBytes} B${files.withNaive ? "" : " (naive baseline left out: both do not fit)"}`)
                console.log(`run it on the board (DeviceScript firmware flashed once): npx devs devtools ${relative(process.cwd(), join(files.dir, "main.ts"))} --serial`)
                console.log("its console prints: dsrnn bench: ours ... us/step, ... opcodes/MAC / naive ... us/step, speedup ...x")
                return
            }
            const figures = await bench(plan, s => console.error(`${s}...`))
            console.log(opts.json ? JSON.stringify(figures) : formatBench(figures))
        })
    registerTrainCommands(program)
    registerBoardCommands(program)
    registerRecordCommand(program)
    // commander's help does not show which options are mandatory: say it in each one's description
    for (const cmd of program.commands) for (const o of cmd.options) if (o.mandatory) o.description += " (required)"
    return program
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
    try {
        await buildProgram().parseAsync(argv)
        return 0
    } catch (e) {
        if (e instanceof CommanderError) return e.exitCode
        if (e instanceof UserError) {
            console.error(`dsrnn: ${e.message}`)
            return e.exitCode
        }
        throw e
    }
}
