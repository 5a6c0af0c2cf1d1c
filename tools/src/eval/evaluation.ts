/**
 * What an evaluation scores and what it returns, as data: evaluate.ts
 * fills it, anomaly.ts adds the fault check, and the CLI and the report read
 * it (the report's verdict from these numbers, not from printed lines).
 */
import type { AnomalyThreshold } from "../model/canonical.ts"

export interface Method {
    key: "float" | "device" | "persistence" | "seasonal" | "average" | "statistical"
    label: string
    /** predictions[i] forecasts actual[i]. */
    predictions: number[]
    rmse: number
    mae: number
    /** MAE over the evaluation's MASE scale. */
    mase: number
}

/** The season of the target, and where it came from, in words ("detected on the training rows", "--period", "model.json"). */
export interface Period {
    rows: number | null
    source: string
}

/** The MASE denominator: the in-sample MAE of the naive forecast one season (or one row) back, and the rows it was measured on. */
export interface MaseScale {
    mae: number
    source: string
}

export interface Evaluation {
    horizon: number
    /** The first scored row: predictions[i] is made at row start + i, for row start + i + horizon. */
    start: number
    actual: number[]
    methods: Method[]
    /** The seasonal naive baseline's period in rows, or null when there is none and a moving average stands in. */
    period: number | null
    periodSource?: string
    scale?: MaseScale
    /** The model's prediction interval and the share of these rows it covered, when it has one. */
    interval?: { nominal: number; covered: number; lower: number; upper: number }
    /** Why the statistical baseline is missing from the table, or is not the seasonal model, when so. */
    statisticalNote?: string
    /** Anomaly flags on these rows, when the model has a threshold. */
    faults?: FaultCheck
    /** The model forecasts the change of its target (residual mode). */
    residual: boolean
}

export interface SeriesData {
    inputs: number[][]
    target: number[]
    /** UTC ms per row, for a model's calendar inputs. */
    times?: number[]
    /** Per row, 1 if the CSV's label column (--labels) marks it anomalous, else 0. */
    labels?: number[]
}

export interface FaultCheck extends AnomalyThreshold {
    rows: number
    /** Clean rows flagged: false alarms. */
    flagged: number
    /** False alarms on these rows, counted as against a budget (eval/alarms.ts alarmCount). */
    alarms: number
    /** Milliseconds between rows (the budget's, else the rows' timestamps), or undefined: alarms are then per row only. */
    rowMs?: number
    /** Rows (index into Evaluation.actual) the device or float model flags on clean data. */
    flaggedRows: number[]
    /** With the model's reading limits: clean rows each of them flags (false alarms of those kinds). */
    readings?: { stuck: number; jump: number }
    /** Injected events per kind (eval/events.ts). */
    events: EventScore[]
    /** With the model's stale rule: the rows it flags stale, and the first of them (index into Evaluation.actual). */
    stale?: { span: number; rows: number; first?: number }
    /** The CSV's own events (runs of rows labelled 1, --labels) among these rows, and the false alarms on the rows labelled 0. */
    labelled?: LabelScore
}

export interface LabelScore {
    /** Runs of labelled rows, and per detected one, rows from its start to the first flag. */
    count: number
    delays: number[]
    detectedBy: EventScore["detectedBy"]
    /** Rows labelled 0, and the alarms the rule raised on them. */
    cleanRows: number
    alarms: number
}

export type EventKind = "spike" | "level shift" | "slow drift" | "stuck" | "noise burst"

export interface EventScore {
    kind: EventKind
    /** Events injected, each changing this many rows. */
    count: number
    rows: number
    /** Their size in the target's units (spike, shift, drift at its end, the noise's standard deviation); 0 for stuck. */
    size: number
    /** Per detected event, rows from its start to the first flag (0: its first row). */
    delays: number[]
    /** Which rule flagged first, per detected event (two at once count for both). */
    detectedBy: { residual: number; stuck: number; jump: number }
    /** Each event's rows [start, end) and the row that detected it, as data rows (0-based) of the file: the report's timeline. */
    events: { start: number; end: number; detectedAt?: number }[]
    /** Data rows from the first scored one where the flag (the residual rule or a reading limit) turned on on these injected rows. */
    alarms: number[]
}
