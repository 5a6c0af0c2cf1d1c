import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { Act, Affine, AnomalyCheck, Arima, Dense, Derivation, DerivedInputs, Enc, Forecaster, Matrix, Model, READING_JUMP, READING_STUCK, ReadingCheck, STEP_OPCODE_LIMIT, Scaling, StaleCheck, zeros } from "../src/index"
import { expectClose, readRow, stepCount } from "./check"
import { headsF32 } from "./fixtures/heads_f32.g"

// The fixture's float64 outputs are for its (normalized) inputs; the raw
// readings, the real-unit forecast and the residual are worked out here in
// float64 from the scaling, independently of the Forecaster.
const SCALING: Scaling = {
    inputMean: [10, -3],
    inputStd: [2, 0.25],
    outputMean: [20, -1],
    outputStd: [5, 0.5],
    // crossed, so that output j adding input j back would fail
    residual: [1, 0],
}
// the fixture's own tolerance against float64, plus the rounding of raw -> normalized
const TOL = 1e-9

/** Runs the fixture's rows through `forecaster` as raw readings and checks every output against float64. */
async function expectForecasts(forecaster: Forecaster): Promise<number[]> {
    const model = headsF32.model
    const s = SCALING
    model.reset()
    const x = zeros(model.inputSize)
    const raw = zeros(model.inputSize)
    const ref = zeros(model.outputSize)
    const got: number[] = []
    for (let t = 0; t < stepCount(headsF32); t++) {
        readRow(headsF32.inputs, t, x)
        readRow(headsF32.expected, t, ref)
        for (let j = 0; j < raw.length; j++) raw[j] = x[j] * s.inputStd[j] + s.inputMean[j]
        const before0 = raw[0]
        const before1 = raw[1]
        const y = await forecaster.step(raw)
        expect(y === forecaster.y).toBe(true)
        expect(raw[0] === before0 && raw[1] === before1).toBe(true)
        for (let j = 0; j < ref.length; j++) {
            const want = ref[j] * s.outputStd[j] + s.outputMean[j] + raw[s.residual[j]]
            expectClose(y[j], want, TOL, `step ${t} output ${j}`)
            got.push(y[j])
        }
        await ds.sleep(0) // the watchdog: this loop is ours
    }
    return got
}

describe("Forecaster: the per-reading path of the app, predict() and simulate", () => {
    test("step (sync): scaling and a crossed residual over two outputs equal float64 worked out by hand", async () => {
        const forecaster = new Forecaster(headsF32.model, SCALING, false)
        expect(forecaster.stepsAsync).toBe(false)
        await expectForecasts(forecaster)
    })

    test("stepAsync gives the same bits as step", async () => {
        const sync = await expectForecasts(new Forecaster(headsF32.model, SCALING, false))
        const forecaster = new Forecaster(headsF32.model, SCALING)
        expect(forecaster.stepsAsync).toBe(true)
        const viaAsync = await expectForecasts(forecaster)
        for (let i = 0; i < sync.length; i++) expectClose(viaAsync[i], sync[i], 0, `value ${i}`)
    })

    test("a model too large for step() is stepped with stepAsync even when step is asked for", async () => {
        const big = new Model(headsF32.model.layers, STEP_OPCODE_LIMIT + 1)
        const forecaster = new Forecaster(big, SCALING, false)
        expect(forecaster.stepsAsync).toBe(true)
        await expectForecasts(forecaster)
    })

    test("the prediction interval bounds each output by its own offsets, and is the forecast itself without one", async () => {
        const withInterval: Scaling = {
            inputMean: SCALING.inputMean,
            inputStd: SCALING.inputStd,
            outputMean: SCALING.outputMean,
            outputStd: SCALING.outputStd,
            residual: SCALING.residual,
            intervalLower: [-0.5, -2],
            intervalUpper: [0.25, 3],
        }
        const model = headsF32.model
        model.reset()
        const forecaster = new Forecaster(model, withInterval, false)
        const x = zeros(model.inputSize)
        for (let t = 0; t < 3; t++) {
            readRow(headsF32.inputs, t, x)
            const y = await forecaster.step(x)
            // y + offset, in float64 by hand: exact, as the offsets are binary fractions
            expect(forecaster.lower[0]).toBe(y[0] - 0.5)
            expect(forecaster.upper[0]).toBe(y[0] + 0.25)
            expect(forecaster.lower[1]).toBe(y[1] - 2)
            expect(forecaster.upper[1]).toBe(y[1] + 3)
        }
        const plain = new Forecaster(model, SCALING, false)
        const y = await plain.step(x)
        expect(plain.lower[0] === y[0] && plain.upper[1] === y[1]).toBe(true)
    })

    test("no scaling: the model's own outputs", async () => {
        const model = headsF32.model
        const forecaster = new Forecaster(model, null, false)
        model.reset()
        const x = zeros(model.inputSize)
        const ref = zeros(model.outputSize)
        for (let t = 0; t < stepCount(headsF32); t++) {
            readRow(headsF32.inputs, t, x)
            readRow(headsF32.expected, t, ref)
            const y = await forecaster.step(x)
            for (let j = 0; j < ref.length; j++) expectClose(y[j], ref[j], TOL, `step ${t} output ${j}`)
            await ds.sleep(0)
        }
    })
})

// Readings (a, b); derived: the change of b, a from 2 rows back (period 3,
// horizon 1), and sin/cos of the day, week and year at 3-hour rows. The
// values are worked out by hand (Python's math.sin/cos of the phase as an
// exact fraction), independently of the host's features.ts.
const HOUR = 3600000
const FEATURES: DerivedInputs = {
    change: [1],
    season: [0],
    depth: 2,
    seasonChange: null,
    lag: 0,
    cycleMs: [24 * HOUR, 7 * 24 * HOUR, 31556952000],
    cycleOffsetMs: [0, 3 * 24 * HOUR, 0],
    rowMs: 3 * HOUR,
}
const READINGS = [
    [1, 10],
    [2, 13],
    [3, 11],
    [4, 20],
    [5, 18],
]
/** Friday 2024-03-01 06:00 UTC; the last row is set to 1969-12-31 21:00 UTC (a negative time). */
const START = 1709272800000
const LAST = -3 * HOUR
const DERIVED = [
    // change of b, a 2 rows back, then day sin/cos (phase 1/4, 3/8, 1/2, 5/8, 7/8), week (17/28, 5/8, 9/14, 37/56, 23/56), year
    [0, 1, 1.0, 6.123233995736766e-17, -0.623489801858733, -0.7818314824680301, 0.859777114826604, 0.5106694751210811],
    [3, 1, 0.7071067811865476, -0.7071067811865475, -0.7071067811865475, -0.7071067811865477, 0.860873242822173, 0.5088194766248988],
    [-2, 1, 1.2246467991473532e-16, -1.0, -0.7818314824680297, -0.6234898018587337, 0.861965390147599, 0.5069671253520266],
    [9, 2, -0.7071067811865475, -0.7071067811865477, -0.8467241992282841, -0.5320320765153367, 0.8630535517528027, 0.50511242986772],
    [-2, 3, -0.7071067811865477, 0.7071067811865474, 0.5320320765153367, -0.8467241992282841, -0.0021503454776444285, 0.9999976880044907],
]
const INPUTS = 10
/** libm's sin/cos against the device's polynomials: a few ulps. */
const TRIG_TOL = 1e-14

/** A linear Dense layer from the rows of `w` (exact in f32: 0, 1, 0.5). */
function dense(w: number[][]) {
    const rows = w.length
    const cols = w[0].length
    const data = Buffer.alloc(4 * rows * cols)
    for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) data.setAt(4 * (r * cols + k), "f32", w[r][k])
    return new Dense(cols, rows, new Affine(new Matrix(data, null, rows, cols, Enc.F32), null, Buffer.alloc(4 * rows), null), Act.Linear)
}

function identity(n: number) {
    const w: number[][] = []
    for (let r = 0; r < n; r++) {
        const row = zeros(n)
        row[r] = 1
        w.push(row)
    }
    return w
}

describe("Forecaster: derived inputs (change, seasonal value, calendar phase)", () => {
    test("the network's input is the readings, then the derived inputs worked out by hand", async () => {
        // an identity network: the forecast is the network's input
        const forecaster = new Forecaster(new Model([dense(identity(INPUTS))]), { inputMean: null, inputStd: null, outputMean: null, outputStd: null, residual: null, derived: new Derivation(FEATURES, INPUTS) }, false)
        expect(forecaster.readings).toBe(2)
        forecaster.setTime(START)
        for (let t = 0; t < READINGS.length; t++) {
            if (t === READINGS.length - 1) forecaster.setTime(LAST)
            const y = await forecaster.step(READINGS[t])
            expectClose(y[0], READINGS[t][0], 0, `step ${t} reading a`)
            expectClose(y[1], READINGS[t][1], 0, `step ${t} reading b`)
            expectClose(y[2], DERIVED[t][0], 0, `step ${t} change`)
            expectClose(y[3], DERIVED[t][1], 0, `step ${t} season`)
            for (let j = 2; j < 8; j++) expectClose(y[2 + j], DERIVED[t][j], TRIG_TOL, `step ${t} calendar ${j - 2}`)
        }
    })

    test("residual from the seasonal value, through the input and output scaling", async () => {
        // y = normalized change of b, de-normalized back to it, plus the raw seasonal value of a
        const w = [zeros(INPUTS)]
        w[0][2] = 1
        const mean = zeros(INPUTS)
        const std: number[] = []
        for (let j = 0; j < INPUTS; j++) std.push(1)
        mean[2] = 0.5
        std[2] = 2
        mean[3] = 1.5
        std[3] = 0.5
        const scaling: Scaling = { inputMean: mean, inputStd: std, outputMean: [0.5], outputStd: [2], residual: [3], derived: new Derivation(FEATURES, INPUTS) }
        const forecaster = new Forecaster(new Model([dense(w)]), scaling, false)
        forecaster.setTime(START)
        // change of b + a two rows back: 0 + 1, 3 + 1, -2 + 1, 9 + 2, -2 + 3
        const want = [1, 4, -1, 11, 1]
        for (let t = 0; t < READINGS.length; t++) expectClose((await forecaster.step(READINGS[t]))[0], want[t], 1e-12, `step ${t}`)
    })

    test("the statistical input (simple exponential smoothing, ARIMA(0,1,1) with ma -0.5) and its residual, worked out by hand", async () => {
        // x[t] = x[t - 1] + e[t] - 0.5 e[t - 1]: forecasts 1; 0.5 * 2 + 0.5 * 1 = 1.5; 0.5 * 4 + 0.5 * 1.5 = 2.75; 2.875; 5.9375
        const readings = [1, 2, 4, 3, 9]
        const want = [1, 1.5, 2.75, 2.875, 5.9375]
        const features: DerivedInputs = { change: null, season: null, depth: 0, seasonChange: null, lag: 0, cycleMs: null, cycleOffsetMs: null, rowMs: 0, statistical: new Arima(0, 1, 0, 1, [1], [1], [1], [-0.5]) }
        const identityForecaster = new Forecaster(new Model([dense(identity(2))]), { inputMean: null, inputStd: null, outputMean: null, outputStd: null, residual: null, derived: new Derivation(features, 2) }, false)
        for (let t = 0; t < readings.length; t++) {
            const y = await identityForecaster.step([readings[t]])
            expectClose(y[0], readings[t], 0, `step ${t} reading`)
            expectClose(y[1], want[t], 0, `step ${t} statistical`)
        }
        // a network forecasting 0.25 of the reading, added to the statistical forecast; after reset, the same rows again
        identityForecaster.derived.reset()
        const w = [zeros(2)]
        w[0][0] = 0.25
        const forecaster = new Forecaster(new Model([dense(w)]), { inputMean: null, inputStd: null, outputMean: null, outputStd: null, residual: [1], derived: identityForecaster.derived }, false)
        for (let t = 0; t < readings.length; t++) expectClose((await forecaster.step([readings[t]]))[0], want[t] + 0.25 * readings[t], 0, `step ${t} residual`)
    })

    test("a calendar model stepped before setTime throws, naming setTime", async () => {
        const forecaster = new Forecaster(new Model([dense(identity(INPUTS))]), { inputMean: null, inputStd: null, outputMean: null, outputStd: null, residual: null, derived: new Derivation(FEATURES, INPUTS) }, false)
        let message = ""
        try {
            await forecaster.step(READINGS[0])
        } catch (e: any) {
            message = e.message
        }
        expect(message.indexOf("setTime") >= 0).toBe(true)
    })

    test("readings of the wrong length throw", async () => {
        const forecaster = new Forecaster(new Model([dense(identity(INPUTS))]), { inputMean: null, inputStd: null, outputMean: null, outputStd: null, residual: null, derived: new Derivation(FEATURES, INPUTS) }, false)
        forecaster.setTime(START)
        let message = ""
        try {
            await forecaster.step([1, 2, 3])
        } catch (e: any) {
            message = e.message
        }
        expect(message.indexOf("expected 2 readings") >= 0).toBe(true)
    })
})

// A network forecasting half the reading: the forecast for reading t is
// 0.5 r[t - 1], so the error |0.5 r[t - 1] - r[t]| is, from t = 1 on:
// 1 1 5 3 3 1 1 9 3 1 1 7 4 2. Over 2.5: rows 3 4 5, 8 9, 12 13. The flags
// below are counted by hand from that row list.
const HALF_READINGS = [2, 2, 2, 6, 6, 6, 2, 2, 10, 2, 2, 2, 8, 8, 2]
const HALF_THRESHOLD = 2.5

/**
 * The flag per reading of a check on `readings`, the half-gain network stepped by a Forecaster as the
 * app does: `check` the reading, then `remember` it and the forecast made from it.
 */
async function halfGainFlags(readings: number[], check: (raw: number[]) => number, remember: (raw: number[], y: number[]) => void): Promise<number[]> {
    const w = [zeros(1)]
    w[0][0] = 0.5
    const forecaster = new Forecaster(new Model([dense(w)]), null, false)
    const flags: number[] = []
    const raw = zeros(1)
    for (let t = 0; t < readings.length; t++) {
        raw[0] = readings[t]
        flags.push(check(raw))
        remember(raw, await forecaster.step(raw))
        await ds.sleep(0) // the watchdog: this loop is ours
    }
    return flags
}

async function halfFlags(check: AnomalyCheck): Promise<number[]> {
    return await halfGainFlags(
        HALF_READINGS,
        raw => check.check(raw),
        (raw, y) => check.remember(y)
    )
}

function expectFlags(got: number[], want: number[], what: string) {
    expect(got.length).toBe(want.length)
    for (let t = 0; t < want.length; t++) expectClose(got[t], want[t], 0, `${what}: row ${t}`)
}

describe("AnomalyCheck on a Forecaster's forecasts: the threshold and its debounce", () => {
    test("1 of 1 (no debounce, the old rule) flags every row over the threshold", async () => {
        expectFlags(await halfFlags(new AnomalyCheck([0], HALF_THRESHOLD)), [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0], "1 of 1")
        expectFlags(await halfFlags(new AnomalyCheck([0], HALF_THRESHOLD, [1, 1])), [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0], "[1, 1]")
    })

    test("2 of 3 flags from the second row over it in a window of three, and while two of the last three are", async () => {
        expectFlags(await halfFlags(new AnomalyCheck([0], HALF_THRESHOLD, [2, 3])), [0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1], "2 of 3")
    })

    test("3 of 3 flags only the third row over it in a row", async () => {
        expectFlags(await halfFlags(new AnomalyCheck([0], HALF_THRESHOLD, [3, 3])), [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], "3 of 3")
    })

    test("threshold 0 never flags; an output that forecasts no input (-1) is never compared", async () => {
        expectFlags(await halfFlags(new AnomalyCheck([0], 0, [1, 1])), zeros(HALF_READINGS.length), "threshold 0")
        expectFlags(await halfFlags(new AnomalyCheck([-1], HALF_THRESHOLD)), zeros(HALF_READINGS.length), "no target")
    })

    test("a debounce outside 1 <= count <= window throws, naming it", async () => {
        let message = ""
        try {
            new AnomalyCheck([0], 1, [3, 2])
        } catch (e: any) {
            message = e.message
        }
        expect(message.indexOf("debounce 3 of 2") >= 0).toBe(true)
    })
})

// Two readings through a network forecasting half of each: the forecast for
// row t is 0.5 r[t - 1], the residual 0.5 r[t - 1] - r[t]. Residuals (a, b)
// from row 1: (-1, -2) (-1, -14) (-7, 0) (0, -8) (0, 0) (-2, -7) (-0.5, 0)
// (-2.2, -8). With scales (1, 4) and threshold 2 the score's square is
// ((a / 1)^2 + (b / 4)^2) / 2, over 4 at rows 2 (13.25 / 2, b the larger),
// 3 (49 / 2, a) and 8 (8.84 / 2, a: neither alone is over); row 6 (7.06 / 2)
// is not. Without scales, any |residual| over 2: rows 2 (b), 3 (a), 4 (b),
// 6 (b), 8 (b).
const PAIR_READINGS = [
    [2, 4],
    [2, 4],
    [2, 16],
    [8, 8],
    [4, 12],
    [2, 6],
    [3, 10],
    [2, 5],
    [3.2, 10.5],
]

/** Per row, the flag of `check` and the input it names, the two-reading half-gain network stepped by a Forecaster. */
async function pairFlags(check: AnomalyCheck): Promise<{ flags: number[]; worst: number[] }> {
    const w = [zeros(2), zeros(2)]
    w[0][0] = 0.5
    w[1][1] = 0.5
    const forecaster = new Forecaster(new Model([dense(w)]), null, false)
    const flags: number[] = []
    const worst: number[] = []
    for (let t = 0; t < PAIR_READINGS.length; t++) {
        flags.push(check.check(PAIR_READINGS[t]))
        worst.push(check.worst)
        check.remember(await forecaster.step(PAIR_READINGS[t]))
        await ds.sleep(0)
    }
    return { flags, worst }
}

describe("AnomalyCheck over several outputs: one score of the residuals scaled by their spread", () => {
    test("with scales, the root mean square of the scaled residuals against the threshold, naming the largest", async () => {
        const got = await pairFlags(new AnomalyCheck([0, 1], 2, null, [1, 4]))
        expectFlags(got.flags, [0, 0, 1, 1, 0, 0, 0, 0, 1], "scaled flags")
        expectFlags(got.worst, [-1, -1, 1, 0, 0, 0, 0, 0, 0], "scaled worst")
    })

    test("with scales and a 2-of-3 debounce", async () => {
        expectFlags((await pairFlags(new AnomalyCheck([0, 1], 2, [2, 3], [1, 4]))).flags, [0, 0, 0, 1, 1, 0, 0, 0, 0], "scaled 2 of 3")
    })

    test("without scales, each residual against the threshold, naming the largest", async () => {
        const got = await pairFlags(new AnomalyCheck([0, 1], 2))
        expectFlags(got.flags, [0, 0, 1, 1, 1, 0, 1, 0, 1], "unscaled flags")
        expectFlags(got.worst, [-1, -1, 1, 0, 1, 1, 1, 1, 1], "unscaled worst")
    })

    test("scales of the wrong length or not above 0 throw", async () => {
        const messages: string[] = []
        for (const scales of [[1], [1, 0]]) {
            try {
                new AnomalyCheck([0, 1], 2, null, scales)
            } catch (e: any) {
                messages.push(e.message)
            }
        }
        expect(messages.length).toBe(2)
        expect(messages[0].indexOf("1 scales for 2 outputs") >= 0).toBe(true)
        expect(messages[1].indexOf("scale 1 is 0") >= 0).toBe(true)
    })
})

// Two readings, a stuck after 3 alike or a change above 4, b a change above 1.5 (no stuck limit).
// a's runs: 1 2 3 1 2 3 4 1 1, stuck at rows 2, 5, 6; its changes 0 0 1 0 0 0 7 6: jumps at rows 7, 8.
// b's changes 1 1 2 0.5 0 0 0 1.5: a jump at row 3 (1.5 is not above 1.5).
const LIMIT_READINGS = [
    [1, 0],
    [1, 1],
    [1, 2],
    [2, 4],
    [2, 4.5],
    [2, 4.5],
    [2, 4.5],
    [9, 4.5],
    [3, 3],
]

async function limitKinds(check: ReadingCheck): Promise<number[]> {
    // the readings go on to the model, as in the app: the check reads them only
    const forecaster = new Forecaster(new Model([dense(identity(2))]), null, false)
    const kinds: number[] = []
    for (let t = 0; t < LIMIT_READINGS.length; t++) {
        kinds.push(check.check(LIMIT_READINGS[t]))
        const y = await forecaster.step(LIMIT_READINGS[t])
        expectClose(y[0], LIMIT_READINGS[t][0], 0, `row ${t}: the reading reaches the model unchanged`)
    }
    return kinds
}

describe("ReadingCheck: a stuck sensor and a change faster than the sensor moved", () => {
    test("the stuck and jump bits of each row, counted by hand", async () => {
        const S = READING_STUCK
        const J = READING_JUMP
        expect((S & J) === 0).toBe(true)
        expectFlags(await limitKinds(new ReadingCheck([3, 0], [4, 1.5])), [0, 0, S, J, 0, S, S, J, J], "both")
    })

    test("a null array turns that kind off", async () => {
        expectFlags(await limitKinds(new ReadingCheck(null, [4, 1.5])), [0, 0, 0, READING_JUMP, 0, 0, 0, READING_JUMP, READING_JUMP], "jumps only")
        expectFlags(await limitKinds(new ReadingCheck([3, 3], null)), [0, 0, READING_STUCK, 0, 0, READING_STUCK, READING_STUCK, READING_STUCK, 0], "stuck only (b alike at rows 4-7)")
    })
})

// The half-gain network again (forecast 0.5 r[t - 1]), window 2 (weight 1/2): on a halving
// series it is exact and persistence is not; then the series stops halving and persistence is exact.
// Readings 16 8 4 2 1 1 1 1 1. From t = 1 the model misses by 0 0 0 0 0.5 0.5 0.5 0.5, persistence
// by 8 4 2 1 0 0 0 0. Running means (m += (e - m) / 2), model: 0 0 0 0 0.25 0.375 0.4375 0.46875;
// persistence: 4 4 3 2 1 0.5 0.25 0.125. The model's is above from row 7: lost 1 at row 7, 2 at row 8.
const STALE_READINGS = [16, 8, 4, 2, 1, 1, 1, 1, 1]

async function staleFlags(check: StaleCheck): Promise<number[]> {
    return await halfGainFlags(
        STALE_READINGS,
        raw => check.check(raw),
        (raw, y) => check.remember(raw, y)
    )
}

describe("StaleCheck: the model's running error against persistence's", () => {
    test("a model that wins, then loses to persistence: stale once its mean has been above persistence's span readings in a row, worked out by hand", async () => {
        expectFlags(await staleFlags(new StaleCheck(0, 2, 1)), [0, 0, 0, 0, 0, 0, 0, 1, 1], "span 1")
        expectFlags(await staleFlags(new StaleCheck(0, 2, 2)), [0, 0, 0, 0, 0, 0, 0, 0, 1], "span 2")
        expectFlags(await staleFlags(new StaleCheck(0, 2, 0)), zeros(STALE_READINGS.length), "span 0: off")
    })
})
