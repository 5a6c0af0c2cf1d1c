/**
 * The on-board commands: build, bundle, flash and deploy. Each one checks the
 * model against the board's budgets first (budget.ts), then builds the
 * generated app in a Workspace and bundles it (board/bundle.ts).
 */
import { existsSync, readdirSync } from "node:fs"
import { extname, join } from "node:path"
import { type Command, Option } from "commander"
import { delimiterOption, specializeOption, unrollOption, weightsOption } from "./options.ts"
import { type AppFlags, buildOptions, nonNegative } from "./app-options.ts"
import { buildFittingApp, prepareApp } from "../board/app-build.ts"
import { loadBoards } from "../board/boards.ts"
import { formatBudget } from "../board/budget.ts"
import { bundleApp, findFirmware, physicalFirmware } from "../board/bundle.ts"
import { deploySimulator } from "../board/deploy.ts"
import { sensorHelp } from "../board/sensors.ts"
import { devs } from "../run/devs.ts"
import { UserError } from "../core/errors.ts"
import { modelFiles } from "../import/import-model.ts"
import { checkOutputs } from "../io/outputs.ts"

/** The example model and CSV the package ships (package.json "files"), so help examples run in a fresh project. */
const EXAMPLE = "node_modules/devicescript-rnn/tools/data"

/** Serial ports a USB board would show up as (Linux and macOS names). */
function serialPorts(): string[] {
    try {
        return readdirSync("/dev")
            .filter(n => /^(ttyUSB|ttyACM|cu\.usb)/.test(n))
            .map(n => `/dev/${n}`)
    } catch {
        return []
    }
}

/** Board ids for help and errors; `physical` leaves out the simulator profile, which cannot be bundled or flashed. */
function boardIds(physical: boolean): string {
    return loadBoards()
        .filter(b => !physical || b.firmware)
        .map(b => b.id)
        .join(", ")
}

function appOptions(cmd: Command, boardRequired: boolean, physicalOnly = false): Command {
    const board = new Option("-b, --board <id>", `board profile from boards/boards.json: ${boardIds(physicalOnly)}`)
    if (boardRequired) board.makeOptionMandatory()
    else board.default("simulator")
    return cmd
        .addOption(board)
        .addOption(weightsOption())
        .addOption(specializeOption())
        .addOption(unrollOption())
        .option("--sensors <kinds>", "sensor per model input, comma-separated (default: the model's inputNames); any @devicescript/core sensor: temperature, humidity, pressure, light_level, soil_moisture, ... (README: Sensors)")
        .option("--range <kind=min:max>", "valid range of a sensor instead of its spec's, e.g. --range temperature=-50:150 (repeatable); a reading outside is a fault", (v: string, all: string[]) => [...all, v], [] as string[])
        .option("--predicts <features>", "input each output forecasts one step ahead, comma-separated ('-' for none); enables the anomaly flag")
        .option("--anomaly <threshold>", "flag |prediction - next observation| above this (0 = off; default: the model's calibrated threshold)")
        .option("--period <ms>", "sample period", "1000")
        .option("--start <time>", "UTC time of the first sample, ISO 8601 (e.g. 2024-03-01T06:00Z), for a model with calendar inputs: a board has no calendar clock, so the app counts rows of the model's rowMs from it (deploy to the simulator: default the replayed CSV's first time)")
        .option("--sync", "step in one go (Model.step) instead of suspending inside a step; refused if a step exceeds the board's slice budget")
        .option("--save-every <n>", "save the model state to settings every n predictions and restore it at start (0 = off)", "0")
        .option("--stuck <n>", "report a sensor whose reading repeats n times in a row as stuck, and pause prediction until it changes (0 = off)", "0")
        .option("--no-publish", "do not publish predictions as registers of the dsrnn predictor service")
        .addHelpText("after", `\n${sensorHelp()}`)
}

/** Registers build, bundle, flash and deploy on the dsrnn program. */
export function registerBoardCommands(program: Command): void {
    appOptions(program.command("build"), true)
        .description("compile the model and the sensor app for a board, devs build it, and report image, heap and per-step cost against the board's budget")
        .argument("<model>", "TF.js model.json, PyTorch .onnx export, or dsrnn model .json")
        .addHelpText("after", `\nExample:\n  npx dsrnn build ${EXAMPLE}/weather-lstm.json --board pico`)
        .action(async (modelPath: string, flags: AppFlags) => {
            const { p, ws, image } = await buildFittingApp(await prepareApp(modelPath, buildOptions(flags)))
            try {
                console.log(`built the ${p.model.name ?? "model"} app for ${p.board.id} (${p.board.name}), ${flags.weights} weights, sensors ${p.app.features.join(", ")}`)
                console.log(`code:  ${p.why}`)
                console.log(formatBudget(p.budget, p.board, image))
            } finally {
                ws.dispose()
            }
        })

    appOptions(program.command("bundle"), true, true)
        .description("make one flashable image (DeviceScript runtime + the app + settings) with devs bundle, and print its path")
        .argument("<model>", "TF.js model.json, PyTorch .onnx export, or dsrnn model .json")
        .option("--firmware <file>", "DeviceScript runtime firmware (.bin for ESP32, .uf2 for RP2040); default: ./.devicescript/cache/, if less than a day old, else for pico the firmware dsrnn ships (boards/pico/)")
        .option("-o, --out <file>", "where to write the image (default: dsrnn-<board>.<bin|uf2>)")
        .addHelpText("after", `\nExample:\n  npx dsrnn bundle ${EXAMPLE}/weather-lstm.json --board pico`)
        .action(async (modelPath: string, flags: AppFlags & { firmware?: string; out?: string }) => {
            // refuse before a build that could not be used
            const opts = buildOptions(flags)
            const { board } = opts
            const ext = extname(physicalFirmware(board))
            const out = flags.out ?? `dsrnn-${board.id}${ext}`
            checkOutputs("bundle", [{ path: out, flag: "--out", what: `a flashable image for ${board.id}`, extensions: [ext] }], [...modelFiles(modelPath), flags.firmware])
            const prepared = await prepareApp(modelPath, opts)
            const firmware = findFirmware(prepared.board, flags.firmware)
            const { p, ws, image } = await buildFittingApp(prepared)
            try {
                console.log(`code:  ${p.why}`)
                const written = await bundleApp(p, ws, out, firmware)
                console.log(formatBudget(p.budget, p.board, image))
                console.log(written)
            } finally {
                ws.dispose()
            }
        })

    appOptions(program.command("flash"), true, true)
        .description("build and bundle the app, then flash it to a board connected over USB")
        .argument("<model>", "TF.js model.json, PyTorch .onnx export, or dsrnn model .json")
        .option("--firmware <file>", "DeviceScript runtime firmware file (see `dsrnn bundle --help`)")
        .option("-p, --port <path>", "serial port of the board (ESP32), e.g. /dev/ttyACM0")
        .addHelpText("after", `\nExample:\n  npx dsrnn flash ${EXAMPLE}/weather-lstm.json --board seeed_xiao_esp32c3 --port /dev/ttyACM0`)
        .action(async (modelPath: string, flags: AppFlags & { firmware?: string; port?: string }) => {
            const prepared = await prepareApp(modelPath, buildOptions(flags))
            // refuse before a build that could not be used
            const firmwareName = physicalFirmware(prepared.board)
            const esp = prepared.board.arch.startsWith("esp32")
            if (flags.port && !existsSync(flags.port)) throw new UserError(`no board at ${flags.port}: the port does not exist`)
            if (esp && !flags.port && serialPorts().length === 0)
                throw new UserError(`no board connected: no USB serial port found (/dev/ttyUSB*, /dev/ttyACM*); plug in the ${prepared.board.name} or pass --port`)
            const firmware = findFirmware(prepared.board, flags.firmware)
            const { p, ws } = await buildFittingApp(prepared)
            try {
                console.error(`code:  ${p.why}`)
                const image = await bundleApp(p, ws, join(ws.dir, `flash${extname(firmwareName)}`), firmware)
                const args = ["flash", esp ? "esp32" : "rp2040", "--board", p.board.id, "--file", image, ...(flags.port ? ["--port", flags.port] : [])]
                const { code, output } = await devs(esp ? args : [...args, "--once"], line => console.error(line), ws.dir)
                if (code !== 0) throw new UserError(`no board connected or flashing failed: ${output.trim().split("\n").slice(-1)[0]}`)
                console.log(`flashed ${p.board.id}; open a serial console or \`npx devs devtools --serial\` to see the dsrnn: lines`)
            } finally {
                ws.dispose()
            }
        })

    appOptions(program.command("deploy"), false)
        .description("run the app on a simulated device: start devs devtools and a VM, deploy over the devtools protocol, replay CSV rows through simulated sensors and print each prediction")
        .argument("<model>", "TF.js model.json, PyTorch .onnx export, or dsrnn model .json")
        .option("--simulator", "deploy to a simulated device (required: the only target for now; use `dsrnn flash` for boards)")
        .requiredOption("-i, --input <csv>", "rows replayed as sensor readings: a column for each of the model's inputNames, in any order (other columns are skipped); a model without names takes the columns in order")
        .option("-n, --steps <n>", "predictions to collect (readings refresh about every 500 ms, so keep it small)", "5")
        .addOption(delimiterOption())
        .addHelpText("after", `\nExample:\n  npx dsrnn deploy ${EXAMPLE}/weather-lstm.json --simulator --input ${EXAMPLE}/weather.csv --steps 5`)
        .action(async (modelPath: string, flags: AppFlags & { simulator?: boolean; input: string; steps: string; delimiter?: string }) => {
            if (!flags.simulator)
                throw new UserError(`deploy runs on the simulator only: add --simulator; on a real board run \`dsrnn flash ${modelPath} --board <id>\` (ids: ${boardIds(true)}), then \`npx devs devtools --serial\` to see its dsrnn: lines`)
            const steps = nonNegative(flags.steps, "--steps", true)
            if (steps < 1) throw new UserError("--steps must be at least 1")
            const p = await prepareApp(modelPath, buildOptions(flags), steps)
            for (const line of await deploySimulator(p, flags.input, l => console.error(l), flags.delimiter)) console.log(line)
        })
}
