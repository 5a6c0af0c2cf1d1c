/**
 * Shape ops on the data path. The importer never computes data; it only needs
 * to know which axis holds the features, and that an op keeps either every
 * time step or just the last one (streaming produces both), without mixing
 * the features of different steps or batch entries.
 */

import { UnsupportedError, UserError, quote } from "../../core/errors.ts"
import {
    type Axis,
    type Dim,
    type Known,
    type SliceRange,
    type Stack,
    type Stream,
    isLastElement,
    isWholeAxis,
    known,
    normAxis,
    numbers,
    productDim,
    reshapeDims,
    resolveSlice,
    slicedSize,
    squeezeAxes,
    transposeDims,
    unsqueezeDims,
} from "./values.ts"

const other = (size: Dim): Axis => ({ role: "other", size })

/** The graph input: the last axis holds the features, the others are time and batch in some order. */
export function inputStream(dims: Dim[], width: number): Stream {
    if (dims.length < 2)
        throw new UnsupportedError(
            `the graph input has rank ${dims.length}; expected [batch, time, features] or [time, batch, features]`
        )
    const axes: Axis[] = dims.map((size, i) =>
        i === dims.length - 1
            ? { role: "feature", size: width }
            : { role: "input", size }
    )
    return { kind: "stream", axes, layers: [], width }
}

/** The feature axis, which every op that works on features needs as the last axis. */
export function featureLast(s: Stream, what: string): number {
    const last = s.axes.length - 1
    if (s.axes[last]?.role !== "feature")
        throw new UnsupportedError(
            `${what} needs the features on the last axis`
        )
    return last
}

export function withWidth(s: Stream, width: number, layers = s.layers): Stream {
    const axes = s.axes.map(a =>
        a.role === "feature" ? { role: a.role, size: width } : a
    )
    return { kind: "stream", axes, layers, width }
}

export function streamShape(s: Stream): Known {
    return known(
        [s.axes.length],
        s.axes.map(a => a.size),
        true
    )
}

export function streamTranspose(s: Stream, perm: number[] | undefined): Stream {
    return { ...s, axes: transposeDims(s.axes, perm) }
}

export function streamUnsqueeze(s: Stream, axes: number[]): Stream {
    return { ...s, axes: unsqueezeDims(s.axes, axes, other(1)) }
}

export function streamSqueeze(s: Stream, axes: number[] | undefined): Stream {
    const at = squeezeAxes(
        s.axes.map(a => a.size),
        axes
    )
    // A single output feature may lose its axis (PyTorch's .squeeze(-1) on a regression head).
    if (
        s.width !== 1 &&
        s.axes.some((a, i) => at.has(i) && a.role === "feature")
    )
        throw new UnsupportedError("Squeeze of the feature axis")
    return { ...s, axes: s.axes.filter((_, i) => !at.has(i)) }
}

function isLastIndex(size: Dim, i: number): boolean {
    return i === -1 || (typeof size === "number" && i === size - 1)
}

export function streamGather(s: Stream, axis: number, indices: Known): Stream {
    const a = normAxis(axis, s.axes.length)
    const { role, size } = s.axes[a]
    const picks = numbers(indices, "a Gather index on the data")
    if (role === "feature")
        throw new UnsupportedError("Gather of single features")
    if (role === "time" && !picks.every(i => isLastIndex(size, i)))
        throw new UnsupportedError(
            `Gather of time step ${picks.find(i => !isLastIndex(size, i))}; only the last step (or every step) can be streamed`
        )
    if (role === "other" && size !== 1)
        throw new UnsupportedError(
            `Gather on an axis of size ${size} that mixes time and batch`
        )
    const newRole = role === "batch" ? "batch" : "other"
    const inserted = indices.dims.map(d => ({ role: newRole, size: d }) as Axis)
    return {
        ...s,
        axes: [...s.axes.slice(0, a), ...inserted, ...s.axes.slice(a + 1)],
    }
}

function sliceAxis(ax: Axis, r: SliceRange): Axis {
    if (isWholeAxis(ax.size, r)) return ax
    switch (ax.role) {
        case "feature":
            throw new UnsupportedError("Slice of the features")
        case "time":
            if (isLastElement(ax.size, r)) return other(1)
            throw new UnsupportedError(
                `Slice [${r.start}:${r.end}:${r.step}] of the time axis; only the last step (or every step) can be streamed`
            )
        case "batch":
            return { role: "batch", size: slicedSize(ax.size, r) }
        case "input":
            return other(slicedSize(ax.size, r))
        case "other":
            if (ax.size === 1 && slicedSize(1, r) === 1) return ax
            throw new UnsupportedError(
                `Slice of an axis of size ${ax.size} that mixes time and batch`
            )
    }
}

export function streamSlice(
    s: Stream,
    ranges: Map<number, SliceRange>
): Stream {
    return {
        ...s,
        axes: s.axes.map((ax, a) =>
            ranges.has(a) ? sliceAxis(ax, ranges.get(a)!) : ax
        ),
    }
}

/**
 * A Reshape that keeps the features as the last axis only regroups time,
 * batch and size-1 axes, which streaming ignores; leading axes keep their role
 * where their size shows which input axis they are.
 */
export function streamReshape(
    s: Stream,
    shape: Dim[],
    allowzero: boolean
): Stream {
    featureLast(s, "Reshape of the data")
    const dims = reshapeDims(
        s.axes.map(a => a.size),
        shape,
        allowzero
    )
    if (dims[dims.length - 1] !== s.width)
        throw new UnsupportedError(
            `Reshape to ${quote(dims)} mixes the ${s.width} features with other axes`
        )
    const lead = s.axes.slice(0, -1).filter(a => a.size !== 1)
    let next = 0
    const axes = dims.slice(0, -1).map(d => {
        if (d === 1) return other(1)
        if (next < lead.length && lead[next].size === d) return lead[next++]
        next = lead.length
        return other(d)
    })
    return { ...s, axes: [...axes, s.axes[s.axes.length - 1]] }
}

export function streamFlatten(s: Stream, axis: number): Stream {
    const a = axis < 0 ? axis + s.axes.length : axis
    const sizes = s.axes.map(x => x.size)
    return streamReshape(
        s,
        [productDim(sizes.slice(0, a)), productDim(sizes.slice(a))],
        false
    )
}

/** Concat of streams along a size-1 axis: what PyTorch builds for h_n of stacked layers. */
export function concatStreams(parts: Stream[], axis: number): Stack {
    const rank = parts[0].axes.length
    const a = normAxis(axis, rank)
    for (const p of parts) {
        if (p.axes.length !== rank)
            throw new UserError("Concat inputs have different ranks")
        const ax = p.axes[a]
        if (ax.role === "feature" || ax.size !== 1)
            throw new UnsupportedError(
                "Concat of the data along a feature, time or batch axis"
            )
    }
    return { kind: "stack", axis: a, parts }
}

const STACK_HINT =
    "a concatenation of several layers' outputs; only selecting one of them (e.g. h_n[-1]) is supported"

function pickIndex(stack: Stack, i: number): Stream {
    const j = i < 0 ? i + stack.parts.length : i
    if (!Number.isInteger(j) || j < 0 || j >= stack.parts.length)
        throw new UserError(
            `index ${i} is out of range for ${stack.parts.length} layers`
        )
    return stack.parts[j]
}

export function stackGather(
    stack: Stack,
    axis: number,
    indices: Known
): Stream {
    const picks = numbers(indices, "a Gather index")
    if (
        normAxis(axis, stack.parts[0].axes.length) !== stack.axis ||
        picks.length !== 1
    )
        throw new UnsupportedError(`Gather on ${STACK_HINT}`)
    const part = pickIndex(stack, picks[0])
    return indices.dims.length === 0
        ? { ...part, axes: part.axes.filter((_, i) => i !== stack.axis) }
        : part
}

export function stackSlice(
    stack: Stack,
    ranges: Map<number, SliceRange>
): Stream | Stack {
    const r = ranges.get(stack.axis)
    if (!r || isWholeAxis(stack.parts.length, r)) {
        if ([...ranges.keys()].every(a => a === stack.axis)) return stack
        throw new UnsupportedError(`Slice on ${STACK_HINT}`)
    }
    const picked = resolveSlice(stack.parts.length, r)
    if (ranges.size !== 1 || picked.length !== 1)
        throw new UnsupportedError(`Slice on ${STACK_HINT}`)
    return pickIndex(stack, picked.first)
}

export function stackUnsupported(what: string): never {
    throw new UnsupportedError(`${what} on ${STACK_HINT}`)
}
