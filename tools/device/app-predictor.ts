/**
 * predictor.ts of the app (app.ts) that publishes: each prediction on the
 * "dsrnn predictor" custom service. Its spec, services/dsrnnpredictor.md,
 * is in the project's services/ folder (dsrnn writes it there), which makes
 * ds.DsrnnPredictor exist. About 5 KB of image (@devicescript/server).
 */
import * as ds from "@devicescript/core"
import { startServer } from "@devicescript/server"
import { PredictorServer } from "./lib/app"

export const server = new PredictorServer(ds.DsrnnPredictor.spec)
startServer(server, { roleName: "dsrnn" })
