/**
 * Checks a canonical model before any stage uses it: every size agrees, every
 * number is finite, every activation is one the device has. Importers call it
 * last, so a bad model file fails here with the tensor's name, never later
 * with a wrong number.
 */
import { CYCLES, derivedCount, readingCount, seasonInput, statisticalInputIndex } from "./features.ts"
import { ALARM_UNIT_MS, type Activation, CANONICAL_FORMAT, MAX_DEBOUNCE_WINDOW, CANONICAL_VERSION, type CanonicalModel, type Layer, type Matrix, type SeasonalArima, gateCount } from "./canonical.ts"
import { UnsupportedError, UserError, quote } from "../core/errors.ts"

const MAX_NAME_CHARS = 100
/** A one-line reason, as a budget check words it (training.search). */
const MAX_REASON_CHARS = 300
/**
 * How deep a model's JSON may nest: its own data goes 5 levels deep
 * (layers[i].Wx[r][c]). A field nested 100,000 deep would overflow the stack
 * of every later structuredClone or JSON.stringify.
 */
const MAX_DEPTH = 8
const LAYER_TYPES: readonly string[] = ["rnn", "lstm", "gru", "dense"]

const ACTIVATIONS: readonly Activation[] = ["linear", "relu", "sigmoid", "hard_sigmoid", "tanh", "softmax"]

function fail(where: string, msg: string): never {
    throw new UserError(`${where}: ${msg}`)
}

function checkVector(where: string, v: unknown, length: number): void {
    if (!Array.isArray(v)) fail(where, "missing")
    if (v.length !== length) fail(where, `has ${v.length} values, expected ${length}`)
    v.forEach((x, i) => {
        // the device stores weights as float32: 1e39 is finite here but Infinity there
        if (typeof x !== "number" || !Number.isFinite(Math.fround(x))) fail(where, `value ${i} is ${quote(x)}, not a finite float32 number`)
    })
}

function checkMatrix(where: string, m: Matrix, rows: number, cols: number): void {
    if (!Array.isArray(m)) fail(where, "missing")
    if (m.length !== rows) fail(where, `has ${m.length} rows, expected ${rows}`)
    m.forEach((row, r) => checkVector(`${where} row ${r}`, row, cols))
}

function checkActivation(where: string, a: unknown): void {
    if (!ACTIVATIONS.includes(a as Activation))
        throw new UnsupportedError(`${where}: activation ${quote(a)} is not supported (supported: ${ACTIVATIONS.join(", ")})`)
}

function checkLayer(l: Layer, i: number, inputSize: number): void {
    if (!l || typeof l !== "object" || Array.isArray(l)) fail(`layers[${i}]`, "is not a layer object")
    const where = `layers[${i}] (${LAYER_TYPES.includes(l.type) ? l.type : quote(l.type, 20)})`
    if (!Number.isInteger(l.units) || l.units < 1) fail(where, `units is ${quote(l.units)}`)
    if (l.inputSize !== inputSize) fail(where, `takes ${quote(l.inputSize)} inputs, but receives ${inputSize}`)
    checkActivation(`${where}.activation`, l.activation)
    if (l.type === "dense") {
        checkMatrix(`${where}.W`, l.W, l.units, inputSize)
        checkVector(`${where}.b`, l.b, l.units)
        return
    }
    if (l.type !== "rnn" && l.type !== "lstm" && l.type !== "gru") throw new UnsupportedError(`${where}: layer type is not supported`)
    if (l.type !== "rnn") {
        if (l.recurrentActivation === undefined) fail(where, "recurrentActivation is missing")
        checkActivation(`${where}.recurrentActivation`, l.recurrentActivation)
    }
    if (l.type === "gru" && typeof l.resetAfter !== "boolean") fail(where, "resetAfter must be true or false")
    const rows = gateCount(l) * l.units
    checkMatrix(`${where}.Wx`, l.Wx, rows, inputSize)
    checkMatrix(`${where}.Wh`, l.Wh, rows, l.units)
    checkVector(`${where}.bx`, l.bx, rows)
    checkVector(`${where}.bh`, l.bh, rows)
}

/** Names reach messages, generated code comments and the board app's sensor mapping: short single-line text only. */
function checkName(where: string, name: unknown, maxChars = MAX_NAME_CHARS): void {
    if (typeof name !== "string") fail(where, `is ${quote(name)}, not a string`)
    if (name.length > maxChars || /[\u0000-\u001f\u007f\u2028\u2029]/.test(name))
        fail(where, `${quote(name)} is not a name of at most ${maxChars} characters on one line`)
}

/** A name taken from a file name or a foreign format's label, made to pass checkName. */
export function cleanName(name: string): string {
    return name.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, " ").slice(0, MAX_NAME_CHARS)
}

/** Walks the whole model without recursion. */
function checkDepth(model: unknown): void {
    const pending: [unknown, number][] = [[model, 0]]
    while (pending.length) {
        const [v, depth] = pending.pop()!
        if (!v || typeof v !== "object") continue
        if (depth >= MAX_DEPTH) fail("model", `nests values more than ${MAX_DEPTH} levels deep`)
        for (const x of Object.values(v)) pending.push([x, depth + 1])
    }
}

export function validateModel(model: CanonicalModel): CanonicalModel {
    if (!model || typeof model !== "object" || Array.isArray(model)) fail("model", "is not a JSON object")
    checkDepth(model)
    if (model.format !== CANONICAL_FORMAT) fail("model", `format is ${quote(model.format)}, expected "${CANONICAL_FORMAT}"`)
    if (model.version !== CANONICAL_VERSION) fail("model", `version ${quote(model.version)} is not supported (this dsrnn reads version ${CANONICAL_VERSION})`)
    if (model.name !== undefined) checkName("model name", model.name)
    if (!Array.isArray(model.layers) || model.layers.length === 0) fail("model", "has no layers")
    if (!Number.isInteger(model.inputSize) || model.inputSize < 1) fail("model", `inputSize is ${quote(model.inputSize)}`)
    let size = model.inputSize
    model.layers.forEach((l, i) => {
        checkLayer(l, i, size)
        size = l.units
    })
    if (model.outputSize !== size) fail("model", `outputSize is ${quote(model.outputSize)}, but the last layer gives ${size}`)
    checkFeatures(model)
    const readings = readingCount(model)
    if (model.inputNames !== undefined) {
        if (!Array.isArray(model.inputNames) || model.inputNames.length !== readings)
            fail("model", `inputNames is ${quote(model.inputNames)}, expected ${readings} names, one per reading`)
        model.inputNames.forEach((n, j) => checkName(`inputNames[${j}]`, n))
    }
    for (const [key, n] of [["inputNormalization", model.inputSize], ["outputNormalization", model.outputSize]] as const) {
        const norm = model[key]
        if (!norm) continue
        checkVector(`${key}.mean`, norm.mean, n)
        checkVector(`${key}.std`, norm.std, n)
        norm.std.forEach((s, j) => s !== 0 || fail(`${key}.std`, `value ${j} is 0`))
    }
    checkNames("inputNames", model.inputNames, readings)
    checkNames("outputNames", model.outputNames, model.outputSize)
    if (model.horizon !== undefined && !(Number.isInteger(model.horizon) && model.horizon >= 1)) fail("model", `horizon is ${model.horizon}, expected an integer of at least 1`)
    if (model.horizons !== undefined) checkHorizons(model)
    if (model.period !== undefined && !(Number.isInteger(model.period) && model.period >= 2)) fail("model", `period is ${model.period}, expected an integer of at least 2 rows`)
    if (model.statistical !== undefined) checkArima(model.statistical)
    if (model.residual !== undefined) {
        if (!Array.isArray(model.residual) || model.residual.length !== model.outputSize) fail("residual", `must list one input index per output (${model.outputSize})`)
        model.residual.forEach((k, j) => (Number.isInteger(k) && k >= 0 && k < readings) || fail("residual", `value ${j} is ${k}, not a reading index (0..${readings - 1})`))
    }
    if (model.residualBase !== undefined) {
        if (!["current", "season", "statistical"].includes(model.residualBase)) fail("residualBase", `is ${quote(model.residualBase)}, expected "current", "season" or "statistical"`)
        if (model.residualBase === "statistical")
            (model.residual ?? []).forEach(k => statisticalInputIndex(model, k) >= 0 || fail("residualBase", `"statistical" adds back reading ${k}'s statistical forecast, but features.statistical does not list ${k}`))
        if (model.residualBase === "season")
            (model.residual ?? []).forEach(k => seasonInput(model, k) >= 0 || fail("residualBase", `"season" adds back reading ${k}'s seasonal value, but features.season does not list ${k}`))
    }
    if (model.interval !== undefined) {
        const { coverage, lower, upper } = model.interval
        if (!(typeof coverage === "number" && coverage > 0 && coverage < 1)) fail("interval.coverage", `is ${quote(coverage)}, expected a share between 0 and 1`)
        checkVector("interval.lower", lower, model.outputSize)
        checkVector("interval.upper", upper, model.outputSize)
        lower.forEach((l, j) => l <= upper[j] || fail("interval", `output ${j} has lower ${l} above upper ${upper[j]}`))
    }
    if (model.anomaly !== undefined) {
        const { threshold, percentile } = model.anomaly
        if (!(typeof threshold === "number" && threshold > 0 && Number.isFinite(threshold))) fail("anomaly.threshold", `is ${threshold}, expected a positive number`)
        if (!(typeof percentile === "number" && percentile > 0 && percentile <= 100)) fail("anomaly.percentile", `is ${percentile}, expected a number in (0, 100]`)
        const { debounce, budget, scales } = model.anomaly
        if (scales !== undefined && !(Array.isArray(scales) && scales.length === model.outputSize && scales.every(v => typeof v === "number" && v > 0 && Number.isFinite(v))))
            fail("anomaly.scales", `is ${quote(scales)}, expected one positive number per output (${model.outputSize})`)
        if (debounce !== undefined) {
            const [k, n] = Array.isArray(debounce) && debounce.length === 2 ? debounce : [NaN, NaN]
            if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 1 && n >= k && n <= MAX_DEBOUNCE_WINDOW)) fail("anomaly.debounce", `is ${quote(debounce)}, expected [count, window], whole numbers with 1 <= count <= window <= ${MAX_DEBOUNCE_WINDOW}`)
        }
        if (budget !== undefined) {
            const positive = (v: unknown) => typeof v === "number" && v > 0 && Number.isFinite(v)
            if (!positive(budget.alarms)) fail("anomaly.budget.alarms", `is ${quote(budget.alarms)}, expected a positive number`)
            if (!Object.keys(ALARM_UNIT_MS).includes(budget.per)) fail("anomaly.budget.per", `is ${quote(budget.per)}, expected one of ${Object.keys(ALARM_UNIT_MS).join(", ")}`)
            if (!positive(budget.rowMs)) fail("anomaly.budget.rowMs", `is ${quote(budget.rowMs)}, expected a positive number of milliseconds`)
            if (!(Number.isInteger(budget.validationRows) && budget.validationRows > 0)) fail("anomaly.budget.validationRows", `is ${quote(budget.validationRows)}, expected a positive whole number`)
            if (!(Number.isInteger(budget.validationAlarms) && budget.validationAlarms >= 0)) fail("anomaly.budget.validationAlarms", `is ${quote(budget.validationAlarms)}, expected a whole number`)
        }
    }
    if (model.readingLimits !== undefined) {
        const { stuckRows, maxChange } = model.readingLimits
        checkVector("readingLimits.stuckRows", stuckRows, readingCount(model))
        checkVector("readingLimits.maxChange", maxChange, readingCount(model))
        stuckRows.forEach((n, j) => (Number.isInteger(n) && n >= 0) || fail("readingLimits.stuckRows", `reading ${j} has ${n}, expected a whole number of rows (0: off)`))
        maxChange.forEach((c, j) => c >= 0 || fail("readingLimits.maxChange", `reading ${j} has ${c}, expected a change of at least 0 (0: off)`))
    }
    if (model.stale !== undefined) {
        const { window, span } = model.stale
        if (!(typeof window === "number" && window >= 1 && Number.isFinite(window))) fail("stale.window", `is ${quote(window)}, expected at least 1 row`)
        if (!(Number.isInteger(span) && span >= 0)) fail("stale.span", `is ${quote(span)}, expected a whole number of rows (0: off)`)
    }
    if (model.training?.search !== undefined) checkSearch(model.training.search)
    return model
}

/** A horizon per output, instead of one horizon, and nothing that reads one horizon for the whole model. */
function checkHorizons(model: CanonicalModel): void {
    const hs = model.horizons
    if (model.horizon !== undefined) fail("model", "has both horizon and horizons; give one horizon for every output, or horizons with one per output")
    if (!Array.isArray(hs) || hs.length !== model.outputSize) fail("horizons", `is ${quote(hs)}, expected ${model.outputSize} horizons, one per output`)
    hs.forEach((h, j) => (Number.isInteger(h) && h >= 1) || fail("horizons", `value ${j} is ${quote(h)}, expected an integer of at least 1`))
    // the season input and base sit seasonalLag(p, h) - h rows back: one ring serves one horizon only
    if (new Set(hs).size > 1 && (model.features?.season?.length || model.features?.statistical?.length || model.residualBase === "season" || model.residualBase === "statistical"))
        fail("horizons", "several horizons work with the level and change targets only: features.season and residualBase \"season\" depend on one horizon")
}

/** Derived inputs: known kinds, reading indices in range, a period for season inputs, and an input size that leaves at least one reading. */
function checkFeatures(model: CanonicalModel): void {
    const f = model.features
    if (f === undefined) return
    if (typeof f !== "object" || f === null) fail("features", `is ${quote(f)}, expected an object`)
    const readings = model.inputSize - derivedCount(f)
    if (!(readings >= 1)) fail("features", `derive ${derivedCount(f)} of the ${model.inputSize} inputs, leaving no reading`)
    for (const key of ["change", "season", "seasonChange", "statistical"] as const) {
        const list = f[key]
        if (list === undefined) continue
        if (!Array.isArray(list)) fail(`features.${key}`, `is ${quote(list)}, expected reading indices`)
        list.forEach((k, j) => (Number.isInteger(k) && k >= 0 && k < readings) || fail(`features.${key}`, `value ${j} is ${quote(k)}, not a reading index (0..${readings - 1})`))
    }
    if (f.season?.length && model.period === undefined) fail("features.season", "needs the model's period")
    if (f.seasonChange?.length && model.period === undefined) fail("features.seasonChange", "needs the model's period")
    if (f.statistical?.length && model.statistical === undefined) fail("features.statistical", "needs the model's statistical baseline (statistical)")
    // the device keeps one ring per season input and reads the seasonal change from it
    f.seasonChange?.forEach(k => f.season?.includes(k) || fail("features.seasonChange", `lists reading ${k}, which features.season does not`))
    if (f.calendar !== undefined) {
        if (!Array.isArray(f.calendar)) fail("features.calendar", `is ${quote(f.calendar)}, expected cycles`)
        f.calendar.forEach((c, j) => Object.hasOwn(CYCLES, c) || fail("features.calendar", `value ${j} is ${quote(c)}, expected one of ${Object.keys(CYCLES).join(", ")}`))
    }
    if (f.rowMs !== undefined && !(typeof f.rowMs === "number" && f.rowMs > 0 && Number.isFinite(f.rowMs))) fail("features.rowMs", `is ${quote(f.rowMs)}, expected a positive number of milliseconds`)
    if (f.calendar?.length && f.rowMs === undefined) fail("features.calendar", "needs features.rowMs, the time between readings")
}

/** The report prints --arch auto's candidates: each field must be what it says. */
function checkSearch(search: NonNullable<CanonicalModel["training"]>["search"]): void {
    const where = "training.search"
    if (!search || typeof search !== "object") fail(where, "is not an object")
    checkName(`${where}.board`, search.board)
    if (!(typeof search.periodMs === "number" && search.periodMs > 0 && Number.isFinite(search.periodMs))) fail(`${where}.periodMs`, `is ${quote(search.periodMs)}, expected a positive number`)
    if (!Array.isArray(search.candidates)) fail(`${where}.candidates`, "is not a list")
    search.candidates.forEach((c, i) => {
        const at = `${where}.candidates[${i}]`
        if (!c || typeof c !== "object") fail(at, "is not an object")
        checkName(`${at}.arch`, c.arch)
        if (typeof c.fits !== "boolean") fail(`${at}.fits`, `is ${quote(c.fits)}, expected true or false`)
        if (c.why !== undefined) checkName(`${at}.why`, c.why, MAX_REASON_CHARS)
        for (const key of ["stepMs", "streamRmse"] as const)
            if (c[key] !== undefined && !(typeof c[key] === "number" && Number.isFinite(c[key]) && c[key] >= 0)) fail(`${at}.${key}`, `is ${quote(c[key])}, expected a number of at least 0`)
    })
}

/** Highest order and season a stored ARIMA may have: the evaluation's recursion costs (p + sP + d + sD + q + sQ) per row. */
const MAX_ARIMA_ORDER = 5
const MAX_ARIMA_PERIOD = 10_000

function checkArima(m: SeasonalArima): void {
    const where = "statistical"
    if (typeof m !== "object" || m === null || m.kind !== "arima") fail(where, `must be an object with kind "arima"`)
    const small = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_ARIMA_ORDER
    for (const key of ["order", "seasonal"] as const)
        if (!Array.isArray(m[key]) || m[key].length !== 3 || !m[key].every(small)) fail(`${where}.${key}`, `is ${quote(m[key])}, expected three whole numbers from 0 to ${MAX_ARIMA_ORDER}`)
    const seasonal = m.seasonal.some(v => v > 0)
    if (seasonal ? !(Number.isInteger(m.period) && m.period >= 2 && m.period <= MAX_ARIMA_PERIOD) : m.period !== 0)
        fail(`${where}.period`, `is ${quote(m.period)}, expected ${seasonal ? `a whole number of rows from 2 to ${MAX_ARIMA_PERIOD}` : "0 for a model without a season"}`)
    const [p, , q] = m.order
    const [P, , Q] = m.seasonal
    for (const [key, n] of [["ar", p], ["ma", q], ["seasonalAr", P], ["seasonalMa", Q]] as const) checkVector(`${where}.${key}`, m[key], n)
    checkVector(`${where}.mean`, [m.mean], 1)
    if (!(typeof m.variance === "number" && m.variance >= 0 && Number.isFinite(m.variance))) fail(`${where}.variance`, `is ${quote(m.variance)}, expected a number of at least 0`)
    if (!(Number.isInteger(m.rows) && m.rows >= 1)) fail(`${where}.rows`, `is ${quote(m.rows)}, expected a whole number of rows`)
    checkName(`${where}.fitter`, m.fitter)
}

function checkNames(key: string, names: unknown, n: number): void {
    if (names === undefined) return
    if (!Array.isArray(names) || names.length !== n || !names.every(s => typeof s === "string" && s !== ""))
        fail(key, `must be ${n} non-empty names`)
}
