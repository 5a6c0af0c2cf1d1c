import * as ort from "onnxruntime-web"

/** ONNX Runtime's output for all of `rows` as one sequence, as [step][feature] (one step unless the graph keeps every step). */
export async function runOrt(
    session: ort.InferenceSession,
    rows: number[][],
    batchFirst: boolean,
    outputSize: number
): Promise<number[][]> {
    const feat = rows[0].length
    const dims = batchFirst ? [1, rows.length, feat] : [rows.length, 1, feat]
    const result = await session.run({
        input: new ort.Tensor("float32", Float32Array.from(rows.flat()), dims),
    })
    const out = Array.from(result.output.data as Float32Array)
    return Array.from({ length: out.length / outputSize }, (_, i) =>
        out.slice(i * outputSize, (i + 1) * outputSize)
    )
}

/** What ONNX Runtime predicts after rows 0..t, for every t: the last step of each prefix. */
export async function ortPrefixes(bytes: Uint8Array, rows: number[][], outputSize: number): Promise<number[][]> {
    const session = await ort.InferenceSession.create(bytes)
    const out: number[][] = []
    for (let t = 1; t <= rows.length; t++) {
        const steps = await runOrt(session, rows.slice(0, t), true, outputSize)
        out.push(steps[steps.length - 1])
    }
    return out
}
