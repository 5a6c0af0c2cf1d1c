/** bench.ts's heap program of our model: the emitted module kept alive up to the probe. */
import { model } from "./model"
import { probeHeap } from "./heap-probe"
probeHeap(model.macs)
