/**
 * The real series the forecast bench (series-bench.ts) and its test
 * (tools/test/train/real-series.test.ts) score the device on: public time
 * series shipped through npm in vega-datasets (a pinned devDependency), with
 * where each comes from and its licence as vega-datasets' datapackage.json
 * states them. Each is split by time: the rows before the held-out part train
 * (`dsrnn train` keeps the last 20% of them to validate), and the held-out
 * rows, a whole number of seasons, are the model's exam. The demo's series
 * (the hourly temperature of npm start) is not here: tools/scripts/demo.ts
 * owns it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { importCanonical } from "../src/import/import-model.ts"
import { readModelColumns } from "../src/io/columns.ts"
import type { CanonicalModel } from "../src/model/canonical.ts"
import type { Encoding } from "../src/model/quantize.ts"
import { evaluateModel, naiveScale } from "../src/eval/evaluate.ts"
import type { Evaluation } from "../src/eval/evaluation.ts"
import { fitStatistical } from "../src/train/statistical.ts"

export interface RealSeries {
    /** Short name: the model is tools/data/series/<name>.json, the split files bench-output/<name>-*.csv. */
    name: string
    title: string
    /** The CSV under node_modules/vega-datasets/data/. */
    file: string
    target: string
    inputs: string[]
    /** The timestamp column: the model skips it, the bench dates the held-out part with it. */
    time: string
    /** One row is one of these. */
    step: "hour" | "day" | "month"
    /**
     * The target's season in rows: the bench's seasonal naive baseline and MASE
     * scale use it, so the figures do not depend on detection. Not given to
     * train: its validation part (20% of the training rows) is shorter than a
     * 365-day season, and the seasonal naive could score none of it.
     */
    period: number
    /** Rows at the end held out, a whole number of seasons. */
    heldOut: number
    /** The rest of the `dsrnn train` command, after the file, target, inputs and out. */
    trainFlags: string
    /** What it shows, for docs/real-series.md. */
    shape: string
    source: string
    licence: string
}

/** The repository: paths in the list and in train commands are relative to it, and read from it whatever the working directory. */
const ROOT = new URL("../../", import.meta.url).pathname
export const DATA_DIR = join("node_modules", "vega-datasets", "data")
export const BENCH_DIR = "bench-output"

/** Small models and short runs: the machine that retrains them has 2 cores. */
const TRAIN_FLAGS = "--horizon 1 --arch lstm:16 --epochs 60 --seed 1 --validation 0.2 --target-mode auto --derived auto"

export const REAL_SERIES: RealSeries[] = [
    {
        name: "co2",
        title: "Mauna Loa CO2",
        file: "co2-concentration.csv",
        target: "CO2",
        inputs: ["CO2"],
        time: "Date",
        step: "month",
        period: 12,
        // 18 years: the last 216 of 741 rows (29%), May 2002 to April 2020, above every level the model trained on;
        // five months of 1958 and 1964 have no reading, so a season is 12 rows only from May 1964 on
        heldOut: 216,
        trainFlags: TRAIN_FLAGS,
        shape: "monthly, 1958-2020, rising trend with a yearly cycle",
        source: "Scripps CO2 Program, Mauna Loa Observatory in-situ record",
        licence: "CC BY 4.0",
    },
    {
        name: "seattle-daily",
        title: "Seattle daily maximum temperature",
        file: "seattle-weather.csv",
        target: "temp_max",
        inputs: ["temp_max", "temp_min"],
        time: "date",
        step: "day",
        period: 365,
        // the last year of four: 2015 (365 of 1,461 days)
        heldOut: 365,
        trainFlags: TRAIN_FLAGS,
        shape: "daily, 2012-2015, noisy weather on a yearly cycle",
        source: "NOAA National Climatic Data Center (daily records)",
        licence: "U.S. Government work (public domain)",
    },
    {
        name: "seattle-wind",
        title: "Seattle hourly wind normals",
        file: "seattle-weather-hourly-normals.csv",
        target: "wind",
        inputs: ["wind", "pressure"],
        time: "date",
        step: "hour",
        period: 24,
        // the demo's split: the last 60 days (1,440 of 8,759 hours)
        heldOut: 1440,
        trainFlags: TRAIN_FLAGS,
        shape: "hourly, one year of 1981-2010 normals, a daily cycle",
        source: "NOAA National Climatic Data Center, 1981-2010 hourly climate normals",
        licence: "U.S. Government work (public domain)",
    },
]

export interface Split {
    header: string
    /** The rows to train on. */
    train: string[]
    /** The held-out rows, preceded by the last season of training rows. */
    test: string[]
    /** Rows at the start of `test` that come from the training part: the device streams through them before the first held-out row is scored. */
    warmup: number
    /** The time column of the first and last held-out rows. */
    heldOutDates: [string, string]
}

/**
 * The chronological split. The test rows start a season and a row before the
 * held-out part: the seasonal naive forecast of the first held-out row needs
 * the row a season earlier, the seasonal ARIMA the row before that too, and
 * evaluation scores every method on the rows where all have their history;
 * scoring from the first held-out row on, the scored rows are exactly the
 * held-out ones (the device, as on a board, has streamed the rows before).
 */
export function splitSeries(s: RealSeries): Split {
    const [header, ...rows] = readFileSync(join(ROOT, DATA_DIR, s.file), "utf8").trim().split(/\r?\n/)
    if (rows.length < s.heldOut + 2 * s.period) throw new Error(`${s.file}: ${rows.length} rows, too few to hold out ${s.heldOut}`)
    const cut = rows.length - s.heldOut
    const time = header.split(",").indexOf(s.time)
    if (time < 0) throw new Error(`${s.file}: no time column ${s.time}`)
    const date = (row: string) => row.split(",")[time]
    const warmup = s.period + 1
    return { header, train: rows.slice(0, cut), test: rows.slice(cut - warmup), warmup, heldOutDates: [date(rows[cut]), date(rows[rows.length - 1])] }
}

export const modelPath = (s: RealSeries) => join("tools", "data", "series", `${s.name}.json`)
export const trainFile = (s: RealSeries, dir = BENCH_DIR) => join(dir, `${s.name}-train.csv`)
export const testFile = (s: RealSeries, dir = BENCH_DIR) => join(dir, `${s.name}-test.csv`)

/** Writes the two split files into `dir` and returns the split. */
export function writeSplit(s: RealSeries, dir = BENCH_DIR): Split {
    mkdirSync(dir, { recursive: true })
    const split = splitSeries(s)
    writeFileSync(trainFile(s, dir), [split.header, ...split.train].join("\n") + "\n")
    writeFileSync(testFile(s, dir), [split.header, ...split.test].join("\n") + "\n")
    return split
}

/** The `dsrnn train` arguments that make the committed model (the model stores the same command as training.command). */
export function trainArgs(s: RealSeries): string[] {
    return ["train", trainFile(s), "--target", s.target, "--inputs", s.inputs.join(","), ...s.trainFlags.split(" "), "--out", modelPath(s)]
}

/** `stored` (a model's training.command) has the list's train file and every one of its flags with the same value; train may record more flags, in its own order. */
export function madeBy(stored: string, s: RealSeries): boolean {
    const args = trainArgs(s)
    const words = stored.split(" ")
    const value = (flag: string) => (words.includes(flag) ? words[words.indexOf(flag) + 1] : undefined)
    return words[0] === "dsrnn" && words[1] === args[0] && words[2] === args[1] && args.every((a, i) => !a.startsWith("--") || value(a) === args[i + 1])
}

export interface SeriesScore {
    series: RealSeries
    split: Split
    model: CanonicalModel
    evaluation: Evaluation
}

/**
 * Streams the test rows through the committed model (float64 and the device
 * in `encoding`) and scores the held-out rows next to the baselines, with the
 * list's season and the MASE scale of the whole training file, as npm start
 * measures it (train's own table uses the rows it fits on, without its
 * validation part).
 */
export async function scoreSeries(s: RealSeries, encoding: Encoding | null, dir = BENCH_DIR): Promise<SeriesScore> {
    const split = writeSplit(s, dir)
    const model = importCanonical(join(ROOT, modelPath(s)))
    const trained = readModelColumns(trainFile(s, dir), model, {}).target
    const data = readModelColumns(testFile(s, dir), model, {})
    const period = { rows: s.period, source: "the bench's list, tools/scripts/real-series.ts" }
    // a model trained before the statistical baseline has none: fit it on the training rows, as train does
    const statistical = model.statistical ? { model: model.statistical } : fitStatistical(trained, s.period)
    const evaluation = await evaluateModel(model, data, { encoding, period, scale: naiveScale(trained, s.period, "the training rows"), statistical, warmup: split.warmup })
    // every scored row is a held-out row, and every held-out row is scored (a row dropped as faulty would shift them)
    if (evaluation.start + evaluation.horizon !== split.warmup || evaluation.actual.length !== s.heldOut)
        throw new Error(`${s.name}: scored ${evaluation.actual.length} rows from row ${evaluation.start + evaluation.horizon}, expected the ${s.heldOut} held-out rows from row ${split.warmup}`)
    return { series: s, split, model, evaluation }
}
