/** `dsrnn train --arch auto --board <id>`: the flags, the search against the board, and what it prints. */
import type { Command } from "commander"
import { type BoardProfile, getBoard, loadBoards } from "../board/boards.ts"
import { OPCODES_PER_SECOND, boardFit } from "../board/fit.ts"
import type { CanonicalModel } from "../model/canonical.ts"
import { UserError } from "../core/errors.ts"
import type { Encoding } from "../model/quantize.ts"
import { ARCH_GRID, candidateTable, parseGrid, searchArch } from "../train/arch-search.ts"

/** dsrnn build's default --period: the period the app steps at unless told otherwise. */
const BUILD_PERIOD_MS = 1000

export interface AutoFlags {
    arch: string
    board?: string
    grid?: string
    samplePeriod?: number
    /** --false-alarms counts time in --sample-period when given. */
    falseAlarms?: string
    weights: Encoding
}

function samplePeriod(v: string): number {
    const n = Number(v)
    if (v.trim() === "" || !Number.isFinite(n) || n < 1) throw new UserError(`--sample-period must be a number of milliseconds, at least 1, got "${v}"`)
    return n
}

export function addArchAutoOptions(cmd: Command): Command {
    return cmd
        .option("--board <id>", `with --arch auto: the board the model must fit (${loadBoards().map(b => b.id).join(", ")})`)
        .option("--grid <archs>", `with --arch auto: the candidates, each as --arch takes it, separated by spaces (default: "${ARCH_GRID.join(" ")}")`)
        .option("--sample-period <ms>", `the time between two readings on the device, as dsrnn build --period: with --arch auto, a candidate whose step takes longer (estimated) is skipped (default: ${BUILD_PERIOD_MS}); with --false-alarms, the time between rows (default: the CSV's timestamps)`, samplePeriod)
}

export const ARCH_AUTO_HELP = `
--arch auto --board <id> checks each candidate of --grid against the board before training (image, heap
and opcode slice as dsrnn build checks them, and the step time at --sample-period where the board has a
speed figure: an estimate for the Pico, none yet for the ESP32 boards), trains the ones that fit with the
same options, and keeps the lowest streaming validation RMSE. model.json records every candidate.`

export interface ArchAuto {
    board: BoardProfile
    periodMs: number
    grid: string[]
    /** The flags to put in the recorded command line. */
    command: string
    /** Checks, trains (`trainOne`) and picks; prints the table; records the candidates in the chosen model. */
    run<T extends { streamRmse: number; model: CanonicalModel }>(inputSize: number, trainOne: (arch: string, index: number, of: number) => Promise<T>): Promise<T>
}

/** The search --arch auto asks for, or undefined for a given --arch; refuses flags that do not go together. */
export function archAuto(f: AutoFlags): ArchAuto | undefined {
    if (f.arch.trim().toLowerCase() !== "auto") {
        const stray = [f.board && "--board", f.grid && "--grid", f.samplePeriod !== undefined && f.falseAlarms === undefined && "--sample-period"].filter(Boolean)
        if (stray.length) throw new UserError(`${stray.join(" and ")} go${stray.length > 1 ? "" : "es"} with --arch auto, not --arch ${f.arch}${f.samplePeriod !== undefined ? " (--sample-period also with --false-alarms)" : ""}`)
        return undefined
    }
    if (!f.board) throw new UserError(`--arch auto needs --board <id>, the board the model must fit: ${loadBoards().map(b => b.id).join(", ")}`)
    const board = getBoard(f.board)
    const grid = parseGrid(f.grid ?? ARCH_GRID.join(" "))
    const periodMs = f.samplePeriod ?? BUILD_PERIOD_MS
    const command = [`--board ${board.id} --weights ${f.weights}`, f.grid !== undefined ? `--grid "${grid.join(" ")}"` : "", f.samplePeriod !== undefined ? `--sample-period ${periodMs}` : ""].filter(Boolean).join(" ")
    return {
        board,
        periodMs,
        grid,
        command,
        async run(inputSize, trainOne) {
            const speed = OPCODES_PER_SECOND[board.arch]
            const { candidates, best, chosen } = await searchArch(grid, inputSize, m => boardFit(m, f.weights, board, periodMs), trainOne).catch(e => {
                throw e instanceof UserError ? e.within(`--arch auto on ${board.id}`) : e
            })
            const steps = speed === undefined ? `step time not checked: no speed figure for ${board.arch}` : `step times estimated at ${Math.round(speed).toLocaleString("en-US")} opcodes/s`
            console.log(`--arch auto on ${board.id} (${f.weights} weights, ${periodMs.toLocaleString("en-US")} ms period; ${steps}): ${chosen.arch}, the lowest streaming validation RMSE of the ${candidates.filter(c => c.fits).length} that fit`)
            for (const line of candidateTable(candidates, chosen.arch)) console.log(line)
            best.model.training!.search = { board: board.id, periodMs, candidates }
            return best
        },
    }
}
