/**
 * The report's charts: Vega-Lite specs compiled by vega-lite and rendered to
 * SVG strings in Node by vega (renderer "none": no canvas, no browser), so
 * the page needs no script to show them.
 */
import * as vega from "vega"
import { type TopLevelSpec, compile } from "vega-lite"

const WIDTH = 860

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

/** Lines of several series over the row number, with optional flagged points and horizontal rules. */
export function seriesChart(title: string, rows: Row[], yTitle: string, opts: { flagged?: Row[]; rules?: number[]; height?: number; xTitle?: string } = {}): TopLevelSpec {
    const layers: object[] = [
        {
            data: { values: rows },
            mark: { type: "line", strokeWidth: 1.2, clip: true },
            encoding: {
                x: { field: "row", type: "quantitative", title: opts.xTitle ?? "row of the file", scale: { zero: false }, axis: { tickMinStep: 1 } },
                y: { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } },
                color: { field: "series", type: "nominal", title: null, legend: { orient: "top", labelLimit: 400 } },
            },
        },
    ]
    if (opts.rules?.length)
        layers.push({ data: { values: opts.rules.map(y => ({ y })) }, mark: { type: "rule", strokeDash: [4, 3], color: "#b22" }, encoding: { y: { field: "y", type: "quantitative" } } })
    if (opts.flagged?.length)
        layers.push({
            data: { values: opts.flagged },
            mark: { type: "point", shape: "circle", size: 60, color: "#d00", filled: false, strokeWidth: 2 },
            encoding: { x: { field: "row", type: "quantitative" }, y: { field: "value", type: "quantitative" } },
        })
    return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, width: WIDTH, height: opts.height ?? 260, layer: layers } as TopLevelSpec
}

export function histogramChart(title: string, values: number[], xTitle: string, rules: number[]): TopLevelSpec {
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
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
export function barChart(title: string, rows: { label: string; group: string; value: number }[], xTitle: string, max?: number): TopLevelSpec {
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title,
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
