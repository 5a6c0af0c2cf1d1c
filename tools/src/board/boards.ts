/**
 * Board profiles (boards/boards.json): what a model must fit on each board
 * dsrnn supports. The file is data so a user can add a board without code.
 */
import { join } from "node:path"
import { PACKAGE_ROOT } from "../run/paths.ts"
import { UserError, quote } from "../core/errors.ts"
import { findSensor } from "./sensors.ts"
import { readJson } from "../core/json.ts"

export interface BoardProfile {
    /** The DeviceScript board id (`devs flash --board`), or "simulator". */
    id: string
    name: string
    arch: string
    heapBytes: number
    imageBytes: number
    /** Opcodes the app may run between two suspensions. */
    sliceOpcodes: number
    /** File name `devs bundle` looks for in .devicescript/cache/; null for the simulator. */
    firmware: string | null
    /** Sensor kinds the board has (sensors.ts); absent: any, as Jacdac modules plug in. */
    sensors?: string[]
}

export const BOARDS_FILE = join(PACKAGE_ROOT, "boards", "boards.json")

function check(b: Record<string, unknown>, i: number): BoardProfile {
    const where = `${BOARDS_FILE}: boards[${i}]`
    if (typeof b.id !== "string" || !b.id) throw new UserError(`${where}: "id" must be a non-empty string`)
    for (const key of ["heapBytes", "imageBytes", "sliceOpcodes"]) {
        const v = b[key]
        if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new UserError(`${where} (${b.id}): "${key}" must be a positive integer`)
    }
    if (b.firmware !== null && typeof b.firmware !== "string") throw new UserError(`${where} (${b.id}): "firmware" must be a file name or null`)
    if (b.sensors !== undefined && (!Array.isArray(b.sensors) || b.sensors.some(s => typeof s !== "string" || findSensor(s)?.name !== s)))
        throw new UserError(`${where} (${b.id}): "sensors" must list sensor kinds by name (see \`dsrnn build --help\`), or be left out for any`)
    return b as unknown as BoardProfile
}

/** All profiles, validated. */
export function loadBoards(file = BOARDS_FILE): BoardProfile[] {
    const json = readJson(file, "the board profiles") as { boards?: unknown }
    if (!Array.isArray(json.boards)) throw new UserError(`${file}: expected { "boards": [...] }`)
    const boards = json.boards.map((b, i) => check(b as Record<string, unknown>, i))
    const ids = new Set<string>()
    for (const b of boards) {
        if (ids.has(b.id)) throw new UserError(`${file}: board "${b.id}" is listed twice`)
        ids.add(b.id)
    }
    return boards
}

export function getBoard(id: string, file = BOARDS_FILE): BoardProfile {
    const boards = loadBoards(file)
    const board = boards.find(b => b.id === id)
    if (!board) throw new UserError(`unknown board ${quote(id)}; known boards: ${boards.map(b => b.id).join(", ")}`)
    return board
}
