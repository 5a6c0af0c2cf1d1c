/**
 * TensorFlow.js as an oracle: build models with seeded random weights, save
 * them exactly as tfjs-node's file:// handler lays them out on disk, and run
 * them the way the device streams (one output per time step).
 */
import * as tf from "@tensorflow/tfjs"
import { randomMatrix, seededRandom } from "../../src/model/random.ts"

/** The pure-JS backend: deterministic, and no native tfjs-node is installed. */
export async function useCpuBackend(): Promise<void> {
    await tf.setBackend("cpu")
    await tf.ready()
}

export function sequential(...layers: tf.layers.Layer[]): tf.Sequential {
    const model = tf.sequential()
    for (const l of layers) model.add(l)
    return model
}

/**
 * Overwrites every weight with values uniform in [-scale, scale). The
 * initializers leave biases at zero and recurrent kernels orthogonal, which
 * would let a swapped bias or gate block go unnoticed.
 */
export function setRandomWeights(
    model: tf.LayersModel,
    seed: number,
    scale = 1
): void {
    const rand = seededRandom(seed)
    model.setWeights(
        model.getWeights().map(w =>
            tf.tensor(
                Float32Array.from(
                    { length: w.size },
                    () => (2 * rand() - 1) * scale
                ),
                w.shape
            )
        )
    )
}

/** steps x features inputs uniform in [-scale, scale). */
export function randomRows(
    seed: number,
    steps: number,
    features: number,
    scale = 1
): number[][] {
    return randomMatrix(seededRandom(seed), steps, features, scale)
}

export { saveTfjsModel } from "../../src/train/network.ts"

/**
 * The model's output after each row, from a predict on every prefix: the last
 * time step when the output is a sequence, the only one otherwise. This is
 * what a device streaming the rows one by one must produce.
 */
export function predictPrefixes(
    model: tf.LayersModel,
    rows: number[][]
): number[][] {
    return rows.map((_, t) =>
        tf.tidy(() => {
            const y = model.predict(
                tf.tensor3d([rows.slice(0, t + 1)])
            ) as tf.Tensor
            const flat = y.dataSync()
            const n = y.shape[y.shape.length - 1]!
            return Array.from(flat.subarray(flat.length - n))
        })
    )
}
