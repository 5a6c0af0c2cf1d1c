/**
 * The report's charts: Vega-Lite specs compiled by vega-lite and rendered to
 * SVG strings in Node by vega (renderer "none": no canvas, no browser), so
 * the page needs no script to show them.
 */
import * as vega from "vega"
import { type TopLevelSpec, compile } from "vega-lite"

/** Chart width in px: with axes and legend, every chart stays within the page's 940 px, so none is scaled down. */
const WIDTH = 840
/** A legend entry's width besides its label: the 20 px line sample and the gaps around it. */
const LEGEND_SYMBOL_PX = 50
const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
/** Text sizes: nothing under 12 px (vega's defaults are 10 and 11 px, hard to read on a laptop). */
const CONFIG = {
    font: "system-ui, sans-serif",
    // anchored left: a centred title can stick out past a narrow chart's right edge
    title: { fontSize: 16, subtitleFontSize: 13, anchor: "start" },
    axis: { labelFontSize: 12, titleFontSize: 13 },
    legend: { labelFontSize: 13, titleFontSize: 13 },
    text: { fontSize: 12 },
}

/** Renders one Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" })
    try {
        return await view.toSVG()
    } finally {
        view.finalize()
    }
}

type Row = Record<string, number | string | null>

/** At most `max` points per series: a long series is thinned evenly (the flagged points are always kept). */
export function thin<T>(rows: T[], max: number, keep: (r: T) => boolean = () => false): T[] {
    if (rows.length <= max) return rows
    const stride = Math.ceil(rows.length / max)
    return rows.filter((r, i) => i % stride === 0 || keep(r))
}

/** How one series is drawn. Series are drawn in the order given, so the last is on top. */
export interface SeriesStyle {
    name: string
    color: string
    /** Dash pattern in px; solid when absent. */
    dash?: number[]
    width?: number
}

export interface SeriesOptions {
    /** Smaller lines under the title, one per note: what the dashes and circles mean. */
    subtitle?: string[]
    /** Points to circle (flagged anomalies), with the rows' x and value. */
    flagged?: Row[]
    /** Horizontal dashed rules at these values. */
    rules?: number[]
    /** Vertical rules with a label at the top, e.g. the chosen epoch; the label on the rule's left when `left`. */
    marks?: { x: number; label: string; left?: boolean }[]
    height?: number
    /** Default "row of the file", or "time (UTC)" with `time`. */
    xTitle?: string
    /** x is epoch ms: a time axis with calendar ticks, in UTC so the labels read as the file's timestamps. */
    time?: boolean
    /** The series in drawing order; the chart's default palette when absent. */
    styles?: SeriesStyle[]
    /** A dot on each point too: for sparse series, where a lone point would draw no line. */
    points?: boolean
}

/** Calendar tick labels per tick step (vega's default shows "Sat 02" with no month and "12 PM"). */
const TIME_FORMAT = { year: "%Y", quarter: "%b %Y", month: "%b %Y", week: "%b %d", date: "%b %d", hours: "%H:%M", minutes: "%H:%M", seconds: "%H:%M:%S", milliseconds: "%H:%M:%S.%L" }

/** At most this many ticks on a time axis: about 90 px each, so no label hides another. */
const MAX_TIME_TICKS = 9
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** Calendar tick steps, finest first, in vega's unit names (plural for hours and minutes: "hour" is undefined there and crashes the render); a month and a year at their average length, to count ticks. */
const TIME_STEPS: [interval: string, step: number, ms: number][] = [
    ...[1, 5, 15, 30].map(s => ["minutes", s, s * MINUTE] as [string, number, number]),
    ...[1, 3, 6, 12].map(s => ["hours", s, s * HOUR] as [string, number, number]),
    ["day", 1, DAY],
    ["day", 2, 2 * DAY],
    ["week", 1, 7 * DAY],
    ...[1, 3].map(s => ["month", s, s * 30.44 * DAY] as [string, number, number]),
    ...[1, 2, 5, 10, 20, 50, 100].map(s => ["year", s, s * 365.25 * DAY] as [string, number, number]),
]

/**
 * The finest calendar step giving at most MAX_TIME_TICKS ticks over `span` ms. Vega's own choice aims
 * at one tick per 40 px, and its overlap rule then hides every other label, which can be every
 * midnight, leaving only hours and no date.
 */
function timeTicks(span: number): { interval: string; step: number } {
    const [interval, step] = TIME_STEPS.find(s => span / s[2] <= MAX_TIME_TICKS) ?? TIME_STEPS[TIME_STEPS.length - 1]
    return { interval, step }
}

/** Lines of several series over `x` (a row number, an epoch, or epoch ms with `time`), with optional flagged points and rules. */
export function seriesChart(title: string, rows: Row[], yTitle: string, opts: SeriesOptions = {}): TopLevelSpec {
    // nice: false, so the axis ends where the data does rather than at the next round number
    const xs = rows.map(r => Number(r.x))
    const x = opts.time
        ? { field: "x", type: "temporal", title: opts.xTitle ?? "time (UTC)", scale: { type: "utc", nice: false }, axis: { format: TIME_FORMAT, tickCount: timeTicks(Math.max(...xs) - Math.min(...xs)) } }
        : { field: "x", type: "quantitative", title: opts.xTitle ?? "row of the file", scale: { zero: false, nice: false }, axis: { tickMinStep: 1 } }
    const y = { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } }
    const styles = opts.styles
    // as many legend columns as fit the width; without a canvas vega sizes each label at 0.8 em per character
    const names = styles?.map(s => s.name) ?? [...new Set(rows.map(r => String(r.series)))]
    const columns = Math.max(1, Math.floor(WIDTH / (0.8 * CONFIG.legend.labelFontSize * Math.max(...names.map(n => n.length)) + LEGEND_SYMBOL_PX)))
    const legend = { orient: "top", columns, labelLimit: 400, symbolStrokeWidth: 2.5, symbolSize: 400 }
    // the legend follows the scales' domain: solid lines (what is forecast) first, then the dashed ones (baselines)
    const listed = styles && [...styles.filter(s => !s.dash), ...styles.filter(s => s.dash)]
    const color = listed ? { field: "series", type: "nominal", title: null, scale: { domain: listed.map(s => s.name), range: listed.map(s => s.color) }, legend } : { field: "series", type: "nominal", title: null, legend }
    // one layer per series, so each is drawn in its given order, with color and dash from shared scales (one legend)
    const strokeDash = listed && { field: "series", type: "nominal", title: null, scale: { domain: listed.map(s => s.name), range: listed.map(s => s.dash ?? [1, 0]) }, legend }
    const layers: object[] = (styles ?? [undefined]).map(s => ({
        data: { values: s ? rows.filter(r => r.series === s.name) : rows },
        mark: { type: "line", strokeWidth: s?.width ?? 1.2, clip: true, ...(opts.points ? { point: { filled: true, size: 30 } } : {}) },
        encoding: { x, y, color, ...(strokeDash ? { strokeDash } : {}) },
    }))
    if (opts.rules?.length)
        layers.push({ data: { values: opts.rules.map(y => ({ y })) }, mark: { type: "rule", strokeDash: [4, 3], color: "#b22" }, encoding: { y: { field: "y", type: "quantitative" } } })
    if (opts.marks?.length) {
        const marks = { values: opts.marks }
        layers.push(
            { data: marks, mark: { type: "rule", strokeDash: [6, 4], color: "#555", strokeWidth: 1.5 }, encoding: { x: { ...x, field: "x" } } },
            ...[false, true].map(left => ({
                data: { values: opts.marks!.filter(m => !!m.left === left) },
                mark: { type: "text", align: left ? "right" : "left", baseline: "top", dx: left ? -5 : 5, y: 4, fontSize: 13, color: "#333" },
                encoding: { x: { ...x, field: "x" }, text: { field: "label" } },
            }))
        )
    }
    if (opts.flagged?.length)
        layers.push({
            data: { values: opts.flagged },
            mark: { type: "point", shape: "circle", size: 60, color: "#d00", filled: false, strokeWidth: 2 },
            encoding: { x, y },
        })
    return { $schema: SCHEMA, config: CONFIG, title: opts.subtitle?.length ? { text: title, subtitle: opts.subtitle } : title, width: WIDTH, height: opts.height ?? 260, layer: layers } as TopLevelSpec
}

export function histogramChart(title: string, values: number[], xTitle: string, rules: number[]): TopLevelSpec {
    return {
        $schema: SCHEMA,
        config: CONFIG,
        title,
        width: WIDTH,
        height: 200,
        layer: [
            {
                data: { values: values.map(v => ({ v })) },
                mark: { type: "bar", color: "#4c78a8" },
                encoding: { x: { field: "v", type: "quantitative", bin: { maxbins: 60 }, title: xTitle }, y: { aggregate: "count", type: "quantitative", title: "rows" } },
            },
            { data: { values: rules.map(x => ({ x })) }, mark: { type: "rule", strokeDash: [4, 3], color: "#b22" }, encoding: { x: { field: "x", type: "quantitative" } } },
        ],
    } as TopLevelSpec
}

/** Grouped horizontal bars: one row per `label`, one bar per `group`. */
export function barChart(title: string, rows: { label: string; group: string; value: number }[], xTitle: string, max?: number, subtitle?: string[]): TopLevelSpec {
    return {
        $schema: SCHEMA,
        config: CONFIG,
        title: subtitle?.length ? { text: title, subtitle } : title,
        width: WIDTH - 200,
        data: { values: rows },
        mark: "bar",
        encoding: {
            y: { field: "label", type: "nominal", title: null, sort: null, axis: { labelLimit: 300 } },
            yOffset: { field: "group", type: "nominal" },
            x: { field: "value", type: "quantitative", title: xTitle, scale: max ? { domain: [0, max] } : {} },
            color: { field: "group", type: "nominal", title: null, legend: { orient: "top" } },
        },
    } as TopLevelSpec
}

/** One injected event on the timeline: its lane (the event kind), its first row's x and its end's, and whether the rule detected it. */
export interface TimelineEvent {
    lane: string
    x: number
    x2: number
    detected: boolean
}

/** Event colours: what was caught, what was missed. */
const EVENT_COLORS = { detected: "#54a24b", missed: "#e45756" }
const ALARM_COLOR = "#222"

/**
 * Lanes of events over a shared x (row or, with `time`, epoch ms): each
 * event a bar over its rows, coloured detected or missed, with a tick at its
 * first row so a one-row event shows, and each alarm (the flag turning on) a
 * dark diamond in its lane.
 */
export function timelineChart(title: string, lanes: string[], events: TimelineEvent[], alarms: { lane: string; x: number }[], opts: { time?: boolean; subtitle?: string[] } = {}): TopLevelSpec {
    const xs = [...events.flatMap(e => [e.x, e.x2]), ...alarms.map(a => a.x)]
    const x = opts.time
        ? { field: "x", type: "temporal", title: "time (UTC)", scale: { type: "utc", nice: false }, axis: { format: TIME_FORMAT, tickCount: timeTicks(Math.max(...xs) - Math.min(...xs)) } }
        : { field: "x", type: "quantitative", title: "row of the file", scale: { zero: false, nice: false }, axis: { tickMinStep: 1 } }
    const y = { field: "lane", type: "nominal", title: null, sort: lanes, scale: { domain: lanes }, axis: { labelLimit: 300 } }
    const status = { field: "status", type: "nominal", title: null, scale: { domain: ["detected", "missed"], range: [EVENT_COLORS.detected, EVENT_COLORS.missed] }, legend: { orient: "top" } }
    const rows = events.map(e => ({ ...e, status: e.detected ? "detected" : "missed" }))
    return {
        $schema: SCHEMA,
        config: CONFIG,
        title: opts.subtitle?.length ? { text: title, subtitle: opts.subtitle } : title,
        width: WIDTH - 120,
        height: { step: 34 },
        layer: [
            { data: { values: rows }, mark: { type: "bar", opacity: 0.45, height: { band: 0.7 } }, encoding: { x, x2: { field: "x2" }, y, color: status } },
            { data: { values: rows }, mark: { type: "tick", thickness: 3, bandSize: 24 }, encoding: { x, y, color: status } },
            { data: { values: alarms }, mark: { type: "point", shape: "diamond", filled: true, size: 50, color: ALARM_COLOR, opacity: 0.9 }, encoding: { x, y } },
        ],
    } as TopLevelSpec
}
