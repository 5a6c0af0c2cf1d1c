/** saved-state.ts of an app that saves its model state (--save-every): src/state-store.ts. */
export { restoreState, saveState } from "./lib/state-store"
