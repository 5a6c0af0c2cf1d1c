/** saved-state.ts of an app that does not save its state: startApp then never links @devicescript/settings. */
import { Model } from "./lib/model"

export const saveState: (model: Model) => Promise<void> = undefined
export const restoreState: (model: Model) => Promise<boolean> = undefined
