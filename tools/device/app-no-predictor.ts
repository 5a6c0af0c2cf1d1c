/** predictor.ts of an app that does not publish (--no-publish): no server, and no @devicescript/server in the image. */
import { PredictorServer } from "./lib/app"

// a type-only use of PredictorServer links no code
export const server: PredictorServer = undefined
