/** The commands on the user's own data: train, evaluate and report. */
import type { Command } from "commander"
import { Option } from "commander"
import { canonicalJson, importModel, modelFiles } from "../import/import-model.ts"
import { writeOutputFile } from "../io/files.ts"
import { checkOutputs } from "../io/outputs.ts"
import { ALARM_UNIT_MS, type CanonicalModel } from "../model/canonical.ts"
import { UserError } from "../core/errors.ts"
import type { Encoding } from "../model/quantize.ts"
import { choosePlan } from "../emit/plan.ts"
import { calibrateThreshold, checkFaults } from "../eval/anomaly.ts"
import { calibrateBudget, parseAlarmBudget } from "../eval/alarms.ts"
import { calibrateReadingLimits, readingLimitsLine } from "../eval/reading-limits.ts"
import { calibrateStale } from "../eval/stale.ts"
import { rowSpacing } from "../io/times.ts"
import { type Columns, readColumns, readLabels, readModelColumns } from "../io/columns.ts"
import { evaluateOutputs, formatEvaluation, measureInterval, method, naiveScale } from "../eval/evaluate.ts"
import type { Evaluation, MaseScale, Period, SeriesData } from "../eval/evaluation.ts"
import { calibrateInterval } from "../eval/intervals.ts"
import { detectPeriod } from "../train/season.ts"
import type { StatisticalFit } from "../train/statistical.ts"
import { epochCapHint, notLearnedLine, trainedLine } from "../train/summary.ts"
import { count } from "../core/wording.ts"
import { TRAIN_DEFAULTS, parseArch, resolveTrainOptions } from "../train/options.ts"
import { type ResidualMode, parseHorizon, trainOptions } from "./train-options.ts"
import { type TargetMode, candidateFeatures, derivedFlag, planCandidates, targetWords } from "../train/candidates.ts"
import { selectionLines } from "../train/select.ts"
import { derivedCount, derivedNames, seasonalLag } from "../model/features.ts"
import { horizonText, outputHorizons } from "../model/horizons.ts"
import { delimiterOption, printNotes, weightsOption } from "./options.ts"
import { type Progress, epochProgress, progressBar } from "./progress.ts"
import { ARCH_AUTO_HELP, addArchAutoOptions, archAuto } from "./arch-auto.ts"

const number = (flag: string) => (v: string) => {
    const n = Number(v)
    if (v.trim() === "" || !Number.isFinite(n)) throw new UserError(`${flag} must be a number, got "${v}"`)
    return n
}

/** A season of at least 2 rows (1 would be persistence). */
function periodRows(v: string): number {
    const n = Number(v)
    if (v.trim() === "" || !Number.isInteger(n) || n < 2) throw new UserError(`--period must be a whole number of rows, at least 2, got "${v}"`)
    return n
}

const PERIOD_HELP = "the target's season in rows, for the seasonal naive baseline and MASE (default: detected on the training rows)"

/** evaluate and report: --period, else the one train stored in model.json, else detected on the scored rows. */
function scoredPeriod(model: CanonicalModel, target: number[], flag?: number): Period {
    if (flag !== undefined) return { rows: flag, source: "--period" }
    if (model.period !== undefined) return { rows: model.period, source: "model.json" }
    return { rows: detectPeriod(target), source: "detected on the scored rows: model.json has no period" }
}

/** The time between rows a false-alarm budget counts in: --sample-period (the device's rate, one row per sample), else the CSV's timestamps. */
function budgetRowMs(times: number[] | undefined, samplePeriod?: number): number {
    if (samplePeriod !== undefined) return samplePeriod
    if (times && times.length > 1) return rowSpacing(times)
    throw new UserError("--false-alarms counts alarms in time, and the CSV has no column of timestamps: give the time between rows with --sample-period <ms>")
}

const LABELS_HELP = "a column of 1 (anomalous) and 0 per row: the anomaly rule is scored on the CSV's own events (runs of 1) and on the false alarms of the rows labelled 0"

/** The columns, with each kept row's label when --labels names a column. */
function withLabels(model: CanonicalModel, data: Columns, f: { data: string; labels?: string; delimiter?: string }): SeriesData & Columns {
    if (f.labels === undefined) return data
    if (!model.anomaly) throw new UserError("--labels scores the anomaly flag, and the model has no anomaly threshold (dsrnn train calibrates one for a model forecasting 1 row ahead)")
    return { ...data, labels: readLabels(f.data, f.labels, data.lines, f.delimiter) }
}

/** Simulator progress on stderr: a bar on a terminal, a line every few seconds otherwise. */
function simulatorProgress(quiet?: boolean) {
    let bar: Progress | undefined
    return (done: number, total: number) => {
        if (quiet) return
        bar ??= progressBar("device: simulating", "rows", total)
        bar.update(done)
        if (done >= total) bar.stop()
    }
}

/** Evaluates on the given rows, one evaluation per horizon; null encoding skips the device. */
async function evaluateOn(model: CanonicalModel, data: SeriesData, encoding: Encoding | null, quiet: boolean | undefined, period: Period, scale?: MaseScale, statistical?: StatisticalFit): Promise<Evaluation[]> {
    if (encoding) console.error(`running ${count(data.inputs.length, "row")} on the simulated device (${encoding} weights)...`)
    return evaluateOutputs(model, data, { encoding, plan: encoding ? choosePlan(model, encoding, undefined).plan : undefined, onProgress: simulatorProgress(quiet), period, scale, statistical })
}

/** One table per horizon, each titled with it when there are several. */
function formatEvaluations(evaluations: Evaluation[], what: string): string {
    return evaluations.map(e => formatEvaluation(e, evaluations.length > 1 ? `${what}, horizon ${e.horizon}` : what)).join("\n\n")
}

interface TrainFlags {
    target: string
    inputs?: string
    horizon: number[]
    arch: string
    epochs: number
    seed: number
    window?: number
    validation: number
    targetMode?: "auto" | TargetMode
    residual?: ResidualMode
    derived: string
    period?: number
    weights: Encoding
    device: boolean
    quiet?: boolean
    out: string
    delimiter?: string
    board?: string
    grid?: string
    samplePeriod?: number
    falseAlarms?: string
}

export function registerTrainCommands(program: Command): void {
    const trainCommand = program
        .command("train")
        .description("train a recurrent model on a CSV of sensor readings (chronological split: the last rows validate), and print how it forecasts the validation rows streamed as the device runs")
        .argument("<data.csv>", "a header row, then one row per time step; the columns are named")
        .requiredOption("-t, --target <column>", "the column to forecast")
        .option("--inputs <columns>", "input columns, comma-separated (default: every numeric column)")
        .addOption(new Option("--horizon <rows>", "forecast this many rows ahead; a..b: one output per horizon, a to b rows ahead (e.g. 1..3)").argParser(parseHorizon).default([TRAIN_DEFAULTS.horizon], String(TRAIN_DEFAULTS.horizon)))
        .option("--arch <layers>", "lstm:N, gru:N or rnn:N, comma-separated to stack; auto: the best of --grid that fits --board", TRAIN_DEFAULTS.arch)
        .option("--epochs <n>", "most epochs (training stops early when streaming validation RMSE stalls)", number("--epochs"), TRAIN_DEFAULTS.epochs)
        .option("--seed <n>", "seed of the initial weights and window order: the same seed gives the same model", number("--seed"), TRAIN_DEFAULTS.seed)
        .option("--window <rows>", "rows per training window (default: min(64, training rows / 4))", number("--window"))
        .option("--validation <share>", "share of rows at the end held out for validation", number("--validation"), TRAIN_DEFAULTS.validation)
        .option("--target-mode <mode>", "what the network forecasts: level, change (from the current value), season (change from the seasonal naive forecast), statistical (change from the ARIMA's forecast), or auto: pick on streaming validation (default: auto)")
        .addOption(new Option("--residual <mode>", "the old name of --target-mode: on = change, off = level").hideHelp())
        .option("--derived <inputs>", "inputs derived from the target: auto (pick on streaming validation), none, or a list of change, season, day, week, year, statistical (the ARIMA's forecast)", TRAIN_DEFAULTS.derived)
        .option("--period <rows>", PERIOD_HELP.replace("for the seasonal naive", "for the season input and target, the seasonal naive"), periodRows)
        .addOption(weightsOption())
        .option("--false-alarms <budget>", "anomaly flag: at most this many false alarms per hour, day or week (e.g. 1/day): the threshold and a debounce (k of the last n rows over it) are set so the validation rows meet it (default: the 99.5th percentile of the validation errors, no debounce)")
        .option("--no-device", "score the validation rows without running the device in the simulator")
        .option("-q, --quiet", "plain progress lines instead of a progress bar")
        .addOption(delimiterOption())
        .requiredOption("-o, --out <model.json>", "where to write the dsrnn model")
    addArchAutoOptions(trainCommand)
        .addHelpText("after", `${ARCH_AUTO_HELP}\n\nExample:\n  npx dsrnn train readings.csv --target temperature --inputs temperature,pressure --out model.json\n  npx dsrnn train readings.csv --target temperature --arch auto --board pico --out model.json`)
        .action(async (file: string, f: TrainFlags) => {
            checkOutputs("train", [{ path: f.out, flag: "--out", what: "a dsrnn model", extensions: [".json"] }], [file])
            const inputs = f.inputs?.split(",").map(s => s.trim())
            const search = archAuto(f)
            const budget = f.falseAlarms === undefined ? undefined : parseAlarmBudget(f.falseAlarms)
            const data = readColumns(file, { target: f.target, inputs, delimiter: f.delimiter })
            const alarmRowMs = budget ? budgetRowMs(data.times, f.samplePeriod) : undefined
            // refuse bad options before saying anything else
            const targetIsInput = data.inputNames.includes(f.target)
            const flags = { target: f.target, inputs: data.inputNames, horizon: f.horizon, epochs: f.epochs, seed: f.seed, window: f.window, validation: f.validation, targetMode: f.targetMode, residual: f.residual, derived: f.derived, period: f.period }
            const options = trainOptions({ ...flags, arch: search?.grid[0] ?? f.arch }, targetIsInput)
            const resolved = resolveTrainOptions(options, data.inputs.length, targetIsInput)
            const plan = planCandidates(data, f.target, resolved)
            printNotes(data.notes)
            const derived = resolved.derived === "auto" ? "auto" : derivedFlag(resolved.derived)
            const command = [
                `dsrnn train ${file} --target ${f.target} --inputs ${data.inputNames.join(",")}`,
                `--horizon ${horizonText(f.horizon)} --arch ${f.arch} --epochs ${f.epochs} --seed ${f.seed}`,
                f.window !== undefined ? `--window ${f.window}` : "",
                `--validation ${f.validation} --target-mode ${resolved.targetMode} --derived ${derived}`,
                f.period !== undefined ? `--period ${f.period}` : "",
                f.falseAlarms !== undefined ? `--false-alarms ${budget!.alarms}/${budget!.per}` : "",
                !search && f.samplePeriod !== undefined ? `--sample-period ${f.samplePeriod}` : "",
                search?.command ?? "",
                `--out ${f.out}`,
            ]
                .filter(Boolean)
                .join(" ")
            const started = Date.now()
            // TensorFlow.js loads only for this command
            const { train } = await import("../train/train.ts")
            const trainArch = async (arch: string) => {
                const progress = epochProgress(process.stderr, !!f.quiet)
                const r = await train(data, { ...options, layers: parseArch(arch) }, command, r => progress.update(r))
                progress.stop()
                return r
            }
            const result = search
                ? // the board check takes the most inputs a candidate of the plan can have: what fits then fits whichever is chosen
                  await search.run(data.inputNames.length + Math.max(...plan.candidates.map(c => derivedCount(candidateFeatures(c, 0)))), (arch, i, of) => {
                      console.error(`--arch auto: training ${arch} (${i + 1} of ${of} that fit ${search.board.id})`)
                      return trainArch(arch)
                  })
                : await trainArch(f.arch)
            const { model } = result
            const record = model.training!
            console.log(trainedLine(model, (Date.now() - started) / 1000))
            const hint = epochCapHint(record, f.epochs)
            if (hint) console.log(hint)
            const chosen = record.chosen!
            const derivedInputs = derivedNames(model)
            for (const line of selectionLines(result.selection, `${targetWords(chosen.target)}, inputs ${[...model.inputNames!, ...derivedInputs].join(", ")}`)) console.log(line)
            const stuck = notLearnedLine(record, result.streamRmse, result.persistenceRmse)
            if (stuck) console.log(stuck)
            console.log(`validation (last ${count(record.validationRows, "row")}): window RMSE ${result.windowRmse.toPrecision(4)}, streaming RMSE ${result.streamRmse.toPrecision(4)} (float32, streamed from zero state)`)
            // the season (train keeps it in model.json for evaluate and report) and the MASE scale come from the training rows only
            const trained = data.target.slice(0, record.trainRows)
            // and so do the stuck and jump limits of each reading
            model.readingLimits = calibrateReadingLimits(data.inputs.slice(0, record.trainRows), data.inputNames.length)
            console.log(readingLimitsLine(model.readingLimits, data.inputNames))
            const period: Period = result.period
            // train fitted the statistical baseline on the same training rows and keeps it in model.json for evaluate and report
            const statistical = result.statistical
            // a season longer than the validation part (a year of weekly rows) stays in model.json for longer files, and a moving average stands in here
            const rows = result.validation.target.length
            const scored: Period = period.rows !== null && seasonalLag(period.rows, Math.max(...outputHorizons(model))) >= rows ? { rows: null, source: `scored: the ${period.rows}-row season does not fit in the ${rows} validation rows` } : period
            const evaluations = await evaluateOn(model, result.validation, f.device ? f.weights : null, f.quiet, scored, naiveScale(trained, period.rows, "the training rows"), statistical)
            const [first] = evaluations
            // the device's own errors when it ran: the threshold is what the device compares against
            const forecast = (e: Evaluation) => method(e, "device") ?? method(e, "float")!
            if (first.horizon === 1) {
                const errors = forecast(first).predictions.map((p, i) => p - first.actual[i])
                model.anomaly = budget ? calibrateBudget(errors, alarmRowMs!, budget) : calibrateThreshold(errors)
                if (budget && errors.length * alarmRowMs! * budget.alarms < ALARM_UNIT_MS[budget.per])
                    console.log(`note: the ${count(errors.length, "validation row")} span less time than the budget allows one alarm in, so the threshold keeps them free of alarms; more rows measure the budget better`)
                model.stale = calibrateStale(errors, method(first, "persistence")!.predictions.map((p, i) => p - first.actual[i]))
                first.faults = checkFaults(model, result.validation, first)
            } else if (budget) throw new UserError(`--false-alarms: the device flags one-step errors, and this model forecasts ${first.horizon} rows ahead; train with --horizon 1`)
            else console.log(`no anomaly threshold: the device flags one-step errors, and this model forecasts ${first.horizon} rows ahead`)
            // the interval around what the device forecasts, as for the threshold, per horizon (evaluations[j] scores output j)
            model.interval = calibrateInterval(evaluations.map(e => e.actual.map((a, i) => a - forecast(e).predictions[i])))
            evaluations.forEach((e, j) => (e.interval = measureInterval(model.interval!, e, j)))
            console.log(formatEvaluations(evaluations, `validation rows of ${file}`))
            writeOutputFile(f.out, canonicalJson(model))
            const ahead = horizonText(outputHorizons(model))
            console.log(`wrote ${f.out}: ${model.inputNames!.join(", ")} -> ${f.target} ${ahead} row${ahead === "1" ? "" : "s"} ahead${model.residual ? ` (${targetWords(model.residualBase === "season" || model.residualBase === "statistical" ? model.residualBase : "change")})` : ""}`)
        })

    program
        .command("evaluate")
        .description("stream held-out rows through the model as the device runs, and print RMSE and MAE of the float model, the device (simulator) and two baselines")
        .argument("<model>", "a dsrnn model .json (from dsrnn train), or any model with --inputs and --target")
        .requiredOption("-d, --data <test.csv>", "rows the model never saw, with the model's input and target columns")
        .addOption(weightsOption())
        .option("--inputs <columns>", "input columns (default: the model's inputNames)")
        .option("-t, --target <column>", "the column the model forecasts (default: the model's outputNames)")
        .option("--period <rows>", PERIOD_HELP.replace("the training rows", "model.json, or detected on these rows"), periodRows)
        .option("--labels <column>", LABELS_HELP)
        .option("--no-device", "skip the simulated device")
        .option("-q, --quiet", "no simulator progress lines")
        .addOption(delimiterOption())
        .addHelpText("after", "\nExample:\n  npx dsrnn evaluate model.json --data test.csv --weights i8")
        .action(async (modelPath: string, f: { data: string; weights: Encoding; inputs?: string; target?: string; device: boolean; quiet?: boolean; delimiter?: string; period?: number; labels?: string }) => {
            const model = await importModel(modelPath)
            const data = withLabels(model, readModelColumns(f.data, model, f), f)
            printNotes(data.notes)
            const evaluations = await evaluateOn(model, data, f.device ? f.weights : null, f.quiet, scoredPeriod(model, data.target, f.period))
            console.log(formatEvaluations(evaluations, f.data))
        })

    program
        .command("report")
        .description("write one self-contained HTML page (works offline) with plots of how the model forecasts held-out rows on the device, its quantization error and its share of each board's budget")
        .argument("<model>", "a dsrnn model .json (from dsrnn train), or any model with --inputs and --target")
        .requiredOption("-d, --data <test.csv>", "rows the model never saw, with the model's input and target columns")
        .addOption(weightsOption())
        .option("--inputs <columns>", "input columns (default: the model's inputNames)")
        .option("-t, --target <column>", "the column the model forecasts (default: the model's outputNames)")
        .option("--period <rows>", PERIOD_HELP.replace("the training rows", "model.json, or detected on these rows"), periodRows)
        .option("--labels <column>", LABELS_HELP)
        .option("--no-device", "plot the float model only, without the simulated device")
        .option("-q, --quiet", "no simulator progress lines")
        .addOption(delimiterOption())
        .requiredOption("-o, --out <report.html>", "where to write the page")
        .addHelpText("after", "\nExample:\n  npx dsrnn report model.json --data test.csv --weights i8 --out report.html")
        .action(async (modelPath: string, f: { data: string; weights: Encoding; inputs?: string; target?: string; device: boolean; quiet?: boolean; out: string; delimiter?: string; period?: number; labels?: string }) => {
            checkOutputs("report", [{ path: f.out, flag: "--out", what: "an HTML page", extensions: [".html", ".htm"] }], [...modelFiles(modelPath), f.data])
            const model = await importModel(modelPath)
            const data = withLabels(model, readModelColumns(f.data, model, f), f)
            printNotes(data.notes)
            const evaluations = await evaluateOn(model, data, f.device ? f.weights : null, f.quiet, scoredPeriod(model, data.target, f.period))
            console.log(formatEvaluations(evaluations, f.data))
            const { renderReport } = await import("../report/report.ts")
            // the page plots the first output (the nearest horizon)
            writeOutputFile(f.out, await renderReport({ model, evaluation: evaluations[0], encoding: f.weights, source: f.data, times: data.times }))
            console.log(`wrote ${f.out}`)
        })
}
