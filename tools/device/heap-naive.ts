/** bench.ts's heap program of the naive baseline, kept alive up to the probe. */
import { naive } from "./naive"
import { probeHeap } from "./heap-probe"
probeHeap(naive.layers.length)
