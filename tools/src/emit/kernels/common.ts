/**
 * What the kernels of every layer kind share: the image a path takes, the
 * heap of the objects src/ builds around a projection, and the affine part
 * of a dense, LSTM or RNN layer as each path emits it.
 */
import { type Activation, type Layer, layerMacs } from "../../model/canonical.ts"
import { type Encoding, WEIGHT_BYTES, hiddenBits } from "../../model/quantize.ts"
import { type CellLayer, hasCellCode, specializedCell } from "../cell.ts"
import { layerOpcodes } from "../cost.ts"
import { type DeviceClass, LIBRARY_CLASSES, arrayBytes, emittedClass, literalArrayBytes, objectBytes } from "../heap.ts"
import type { LayerPath, LayerPlan } from "../plan.ts"
import { SPECIALIZED_BYTES_PER_MAC, specializedProjection } from "../specialized.ts"
import { UNROLLED_BYTES_PER_COLUMN, UNROLLED_CLASS_BYTES, unrolledProjection } from "../unrolled.ts"
import type { ModuleWriter } from "../writer.ts"

/** One module per layer kind: what a layer costs on a path (plan), then its code (emit). */
export interface Kernel<L extends Layer> {
    plan(layer: L, encoding: Encoding, path: LayerPath): LayerPlan<L>
    /** The layer's constructor expression in the model's list; declarations go to `w`. `i` names them (L{i}...). */
    emit(plan: LayerPlan<L>, w: ModuleWriter, i: number): string
}

export const ACT: Record<Activation, string> = {
    linear: "Act.Linear",
    relu: "Act.Relu",
    sigmoid: "Act.Sigmoid",
    hard_sigmoid: "Act.HardSigmoid",
    tanh: "Act.Tanh",
    softmax: "Act.Softmax",
}

/** Bytes of the layer's weights as flash literals (all-zero biases are left out). */
export function weightBytes(l: Layer, encoding: Encoding): number {
    const matrix = (m: number[][]) => m.length * m[0].length * WEIGHT_BYTES[encoding] + (encoding === "f32" ? 0 : 4 * m.length)
    const bias = (v: number[]) => (v.every(x => x === 0) ? 0 : 4 * v.length)
    return l.type === "dense" ? matrix(l.W) + bias(l.b) : matrix(l.Wx) + matrix(l.Wh) + bias(l.bx) + bias(l.bh)
}

/**
 * Image of a layer on a path: literal code by bytes per multiply-add
 * measured with the library around it (SPECIALIZED_BYTES_PER_MAC), so it errs
 * high next to the app's code; unrolled code its flash weights plus its code
 * per column; flash matrices their weights.
 */
export function pathImage(l: Layer, encoding: Encoding, path: LayerPath, columns: number): number {
    if (path === "literal-code") return Math.ceil(layerMacs(l) * SPECIALIZED_BYTES_PER_MAC[encoding])
    const code = path === "unrolled-flash" ? UNROLLED_CLASS_BYTES + UNROLLED_BYTES_PER_COLUMN * columns : 0
    return weightBytes(l, encoding) + code
}

/** Heap bytes of a layer's objects and arrays, and the classes its objects are instances of (a program pays each class once: ModelPlan.heap). */
export interface LayerHeap {
    bytes: number
    classes: DeviceClass[]
}

const LAYER_CLASS = { lstm: LIBRARY_CLASSES.Lstm, gru: LIBRARY_CLASSES.Gru, rnn: LIBRARY_CLASSES.Rnn, dense: LIBRARY_CLASSES.Dense }

/** One instance of each of these classes, and `arrays` bytes of arrays. */
export function instances(classes: DeviceClass[], arrays: number): LayerHeap {
    return { bytes: classes.reduce((s, c) => s + objectBytes(c.fields), arrays), classes }
}

/**
 * A layer object (Lstm, Gru, Rnn, Dense), its projection and the stageRows
 * and stageCols lists, plus `arrays`: on flash matrices the projection is an
 * Affine over Matrix objects (a GRU's inside a GruAffine), on the other
 * paths one class the emitter writes for the layer.
 */
export function layerHeap(l: Layer, path: LayerPath, stages: number, arrays: number): LayerHeap {
    const { Affine, GruAffine, Matrix } = LIBRARY_CLASSES
    const flash = [Affine, ...(l.type === "dense" ? [Matrix] : [Matrix, Matrix]), ...(l.type === "gru" ? [GruAffine] : [])]
    return instances([LAYER_CLASS[l.type], ...(path === "flash-matrices" ? flash : [emittedClass(l.type === "gru" ? "GruProjection" : "Projection")])], 2 * literalArrayBytes(stages) + arrays)
}

/**
 * The affine part of a dense, LSTM or RNN layer: a Projection class of
 * literal code or of unrolled flash code, or an Affine over flash matrices.
 */
export function affine(plan: LayerPlan, w: ModuleWriter, i: number): string {
    const l = plan.layer
    const p = `L${i}_`
    const name = `L${i}Proj`
    if (l.type === "gru") throw new Error("affine: a GRU's projection is the GRU kernel's")
    if (plan.path === "literal-code") {
        const a = l.type === "dense" ? { Wx: l.W, Wh: null, bias: l.b.map(Math.fround) } : { Wx: l.Wx, Wh: l.Wh, bias: l.bx.map((b, r) => Math.fround(b) + Math.fround(l.bh[r])) }
        w.decls.push(specializedProjection(name, a, w.encoding))
        return `new ${name}()`
    }
    if (plan.path === "unrolled-flash") {
        const a =
            l.type === "dense"
                ? { wx: w.flashMatrix(p + "W", l.W).ref, wh: null, bx: w.bias(p + "B", l.b), bh: null }
                : { wx: w.flashMatrix(p + "WX", l.Wx).ref, wh: w.flashMatrix(p + "WH", l.Wh).ref, bx: w.bias(p + "BX", l.bx), bh: w.bias(p + "BH", l.bh) }
        w.decls.push(unrolledProjection(name, a))
        return `new ${name}()`
    }
    if (l.type === "dense") return `new Affine(${w.matrix(p + "W", l.W)}, null, ${w.vector(p + "B", l.b)}, null)`
    return flashAffine(l, w, p)
}

/** new Affine(W_x, W_h, b_x, b_h) over flash matrices. */
export function flashAffine(l: Exclude<Layer, { type: "dense" }>, w: ModuleWriter, p: string): string {
    return `new Affine(${[w.matrix(p + "WX", l.Wx), w.matrix(p + "WH", l.Wh), w.vector(p + "BX", l.bx), w.vector(p + "BH", l.bh)].join(", ")})`
}

/** `, bits` when W_h multiplies h on a grid, as the layer constructors take it. */
export const gridArg = (bits: number) => (bits ? `, ${bits}` : "")

/**
 * Specialised code keeps every column of x and h in a local (a reset-before
 * GRU also r * h), and devs 2.16.4 fails an assertion past about 148 locals
 * per function (measured: a specialised Dense(210 -> 1) does not build).
 */
export const LITERAL_MAX_LOCALS = 140

/** A whole cell (cell.ts) also keeps up to 8 temporaries: the two-row sums and the gate values. */
export const CELL_TEMPORARIES = 8

/** A recurrent layer on `path`: whether it is emitted whole (a CompiledCell: literal code, and cell.ts has code for it), and the locals its literal code keeps. */
export function recurrentShape(l: CellLayer, path: LayerPath): { whole: boolean; locals: number } {
    const { inputSize, units } = l
    const cell = hasCellCode(l)
    return { whole: path === "literal-code" && cell, locals: inputSize + (cell ? units + CELL_TEMPORARIES : 2 * units) }
}

/** A layer emitted whole: its CompiledCell class joins the module's declarations, and the expression that makes it is returned. */
export function wholeCell(plan: LayerPlan<CellLayer>, w: ModuleWriter, i: number): string {
    const cell = specializedCell(`L${i}Cell`, plan.layer, w.encoding, plan.hiddenBits)
    w.decls.push(cell.code)
    return cell.layer
}

/** The figures every kernel works out the same way from its layer's shape. */
export function layerPlan<L extends Layer>(layer: L, encoding: Encoding, path: LayerPath, shape: { whole: boolean; stages: number; columns: number; locals: number; heap: (bits: number) => LayerHeap }): LayerPlan<L> {
    const bits = hiddenBits(layer, encoding)
    const heap = shape.heap(bits)
    return {
        layer,
        path,
        whole: shape.whole,
        hiddenBits: bits,
        stages: shape.stages,
        columns: shape.columns,
        locals: shape.locals,
        opcodes: layerOpcodes(layer, path, shape.whole, bits),
        image: pathImage(layer, encoding, path, shape.columns),
        heap: heap.bytes,
        classes: heap.classes,
    }
}

/**
 * A CompiledCell (src/cell.ts) and its CellCode: out, next and an LSTM's c,
 * the state list and the one-stage stageRows and stageCols. Its code rounds
 * h to the grid inline, so there is no hGrid.
 */
export function cellHeap(units: number, cellState: boolean): LayerHeap {
    return instances([LIBRARY_CLASSES.CompiledCell, emittedClass("CellCode")], (cellState ? 3 : 2) * arrayBytes(units) + literalArrayBytes(cellState ? 2 : 1) + 2 * literalArrayBytes(1))
}

/** src/layer.ts onGrid's copy of h, which a layer with a grid keeps (hGrid). */
export const gridHeap = (units: number, bits: number) => (bits ? arrayBytes(units) : 0)
