/**
 * train's flags turned into the typed TrainOptions train/ takes: every
 * string is parsed and every flag's value checked here, so train/ checks
 * only what depends on the rows (resolveTrainOptions). tools/scripts/ that
 * train pass their options in the flags' words through here too.
 */
import { UserError } from "../core/errors.ts"
import { type TargetMode, TARGET_MODES, parseDerived } from "../train/candidates.ts"
import { MIN_WINDOW, TRAIN_DEFAULTS, type TrainOptions, parseArch } from "../train/options.ts"

/** --residual, the old name of --target-mode: on is change, off is level. */
export type ResidualMode = "auto" | "on" | "off"

/** train's options in the flags' words (commander gives the numbers already as numbers): the strings that TrainOptions holds typed. */
export type TrainFlagValues = Omit<TrainOptions, "horizons" | "layers" | "targetMode" | "derived"> & {
    /** --horizon, parsed by parseHorizon; a number is one horizon. */
    horizon?: number | number[]
    arch?: string
    targetMode?: string
    residual?: string
    derived?: string
}

/** Most outputs --horizon a..b gives: one per horizon, each a network output. */
const MAX_HORIZONS = 64

/** --horizon: "3" (one output, 3 rows ahead) or "1..3" (three outputs, 1, 2 and 3 rows ahead). */
export function parseHorizon(v: string): number[] {
    const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(v)
    const [a, b] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN]
    if (!m || a < 1 || b < a || b - a >= MAX_HORIZONS)
        throw new UserError(`--horizon must be rows ahead (e.g. 3) or a range a..b from 1 up, at most ${MAX_HORIZONS} horizons (e.g. 1..3), got "${v}"`)
    return Array.from({ length: b - a + 1 }, (_, j) => a + j)
}

function positiveInt(v: number, flag: string, min = 1): number {
    if (!Number.isInteger(v) || v < min) throw new UserError(`${flag} must be an integer of at least ${min}, got ${v}`)
    return v
}

/** The flags as typed options; `targetIsInput`: the target is one of the inputs, as a target mode that adds it back needs. */
export function trainOptions(f: TrainFlagValues, targetIsInput: boolean): TrainOptions {
    const o = { ...TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) } as typeof TRAIN_DEFAULTS & TrainFlagValues
    const horizons = (Array.isArray(o.horizon) ? o.horizon : [o.horizon]).map(h => positiveInt(h, "--horizon"))
    if (!(o.validation > 0 && o.validation < 1)) throw new UserError(`--validation must be a share between 0 and 1, got ${o.validation}`)
    const targetMode = resolveTargetMode(f)
    if (targetMode !== "auto" && targetMode !== "level" && !targetIsInput) {
        const flag = f.residual !== undefined ? `--residual ${f.residual}` : `--target-mode ${targetMode}`
        throw new UserError(`${flag} adds the ${targetMode === "change" ? "current" : "seasonal naive"} ${f.target} back, so ${f.target} must be one of --inputs`)
    }
    return {
        target: f.target,
        inputs: f.inputs,
        horizons,
        layers: parseArch(o.arch),
        epochs: positiveInt(o.epochs, "--epochs"),
        seed: positiveInt(o.seed, "--seed", 0),
        window: f.window === undefined ? undefined : positiveInt(f.window, "--window", MIN_WINDOW),
        validation: o.validation,
        targetMode,
        derived: parseDerived(o.derived),
        period: f.period,
        patience: positiveInt(o.patience, "--patience"),
        batchSize: positiveInt(o.batchSize, "--batch-size"),
        learningRate: o.learningRate,
        stride: f.stride === undefined ? undefined : positiveInt(f.stride, "--stride"),
        lrDecay: f.lrDecay,
        lrPatience: f.lrPatience,
    }
}

/** --target-mode, or --residual (its old name) mapped onto it; both at once is an error. */
function resolveTargetMode(f: TrainFlagValues): "auto" | TargetMode {
    const modes = ["auto", ...TARGET_MODES]
    if (f.residual !== undefined) {
        if (f.targetMode !== undefined) throw new UserError("--residual is the old name of --target-mode: give only --target-mode")
        if (!["auto", "on", "off"].includes(f.residual)) throw new UserError(`--residual must be auto, on or off (the old name of --target-mode auto, change or level), got ${f.residual}`)
        return f.residual === "on" ? "change" : f.residual === "off" ? "level" : "auto"
    }
    const mode = f.targetMode ?? TRAIN_DEFAULTS.targetMode
    if (!modes.includes(mode)) throw new UserError(`--target-mode must be ${modes.slice(0, -1).join(", ")} or ${modes.at(-1)}, got ${mode}`)
    return mode as "auto" | TargetMode
}
