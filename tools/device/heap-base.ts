/** bench.ts's base heap program: the probe alone, whose figure the model programs subtract. */
import { probeHeap } from "./heap-probe"
probeHeap(0)
