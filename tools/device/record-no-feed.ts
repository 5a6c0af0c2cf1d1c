/** record-feed.ts of the recorder on a board: its sensors are real. */
export const nextRow: () => void = undefined
