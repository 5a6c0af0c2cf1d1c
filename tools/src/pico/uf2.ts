/**
 * UF2, the file a Pico takes over USB mass storage: 512-byte blocks, each
 * carrying up to 476 bytes for one flash address. Read here to put an image
 * into the emulator's flash as the bootloader would.
 */
import { UserError } from "../core/errors.ts"

const BLOCK_BYTES = 512
const MAGIC_START0 = 0x0a324655
const MAGIC_START1 = 0x9e5d5157
const MAGIC_END = 0x0ab16f30
/** Flags bit 0: the block is not for the main flash (a comment or another device's file). */
const NOT_MAIN_FLASH = 0x1
const PAYLOAD_OFFSET = 32
const MAX_PAYLOAD = 476

export interface Uf2Block {
    /** Absolute address on the chip (0x10000000 is the start of the RP2040's flash). */
    address: number
    data: Uint8Array
}

/** The main-flash blocks of a UF2 file; a file with no valid block is an error. */
export function readUf2(file: Uint8Array): Uf2Block[] {
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
    const blocks: Uf2Block[] = []
    for (let at = 0; at + BLOCK_BYTES <= file.byteLength; at += BLOCK_BYTES) {
        const word = (offset: number) => view.getUint32(at + offset, true)
        if (word(0) !== MAGIC_START0 || word(4) !== MAGIC_START1 || word(BLOCK_BYTES - 4) !== MAGIC_END) continue
        if (word(8) & NOT_MAIN_FLASH) continue
        const size = word(16)
        if (size > MAX_PAYLOAD) throw new Error(`UF2 block at byte ${at}: payload of ${size} B is larger than ${MAX_PAYLOAD} B`)
        blocks.push({ address: word(12), data: file.subarray(at + PAYLOAD_OFFSET, at + PAYLOAD_OFFSET + size) })
    }
    if (blocks.length === 0) throw new UserError("not a UF2 file: no block with the UF2 magic numbers")
    return blocks
}
