/**
 * The TensorFlow.js network train fits, and its conversion to a canonical
 * model. Every recurrent layer returns its whole sequence and the dense head
 * applies at every step, so training scores the forecast after each row of a
 * window, as the device emits one after each row it streams.
 */
import * as tf from "@tensorflow/tfjs"
import "@tensorflow/tfjs-backend-wasm"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { CanonicalModel } from "../model/canonical.ts"
import { importTfjs } from "../import/tfjs.ts"
import type { LayerSpec } from "./options.ts"

let ready: Promise<void> | undefined

/**
 * The WebAssembly backend, whose .wasm files ship inside its npm package:
 * measured side by side with the pure-JS CPU backend on the Seattle training
 * windows, an epoch takes about half the time (docs/decisions.md).
 */
export function tfReady(): Promise<void> {
    // PROD: no debug checks, and no "install tfjs-node" banner on stderr
    tf.env().set("PROD", true)
    ready ??= tf.setBackend("wasm").then(() => tf.ready())
    return ready
}

/** Recurrent layers (sequences out) and a dense head, all initialised from `seed`. */
export function buildNetwork(layers: LayerSpec[], inputSize: number, outputSize: number, seed: number): tf.Sequential {
    const net = tf.sequential()
    let s = seed * 1000
    const init = () => ({
        kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: s++ }),
    })
    layers.forEach((l, i) => {
        const args = { units: l.units, returnSequences: true, ...init(), ...(i === 0 ? { inputShape: [null, inputSize] } : {}) }
        if (l.type === "lstm") net.add(tf.layers.lstm({ ...args, recurrentActivation: "sigmoid" }))
        else if (l.type === "gru") net.add(tf.layers.gru({ ...args, recurrentActivation: "sigmoid" }))
        else net.add(tf.layers.simpleRNN(args))
    })
    net.add(tf.layers.dense({ units: outputSize, kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }) }))
    return net
}

/** The network's outputs after each row of one sequence streamed from zero state (normalized units). */
export function streamNetwork(net: tf.Sequential, rows: number[][]): number[][] {
    return tf.tidy(() => {
        const out = net.predict(tf.tensor3d([rows])) as tf.Tensor
        return (out.arraySync() as number[][][])[0]
    })
}

/** Writes dir/model.json and dir/weights.bin as TF.js `model.save()` does; returns the model.json path. */
export async function saveTfjsModel(model: tf.LayersModel, dir: string): Promise<string> {
    mkdirSync(dir, { recursive: true })
    const file = join(dir, "model.json")
    await model.save(
        tf.io.withSaveHandler(async artifacts => {
            writeFileSync(join(dir, "weights.bin"), new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)))
            const json = {
                modelTopology: artifacts.modelTopology,
                format: artifacts.format,
                generatedBy: artifacts.generatedBy,
                convertedBy: artifacts.convertedBy ?? null,
                weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
            }
            writeFileSync(file, JSON.stringify(json))
            return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }
        })
    )
    return file
}

/** The network as a canonical model, through the TF.js importer (the path a saved Keras model takes). */
export async function networkToCanonical(net: tf.Sequential): Promise<CanonicalModel> {
    const dir = mkdtempSync(join(tmpdir(), "dsrnn-train-"))
    try {
        return await importTfjs(await saveTfjsModel(net, dir))
    } finally {
        rmSync(dir, { recursive: true, force: true })
    }
}
