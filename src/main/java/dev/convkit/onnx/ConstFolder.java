package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.convkit.onnx.GraphReader.Val;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Evaluates shape arithmetic on constants at import time. PyTorch's exporter writes a padding computed from the
 * input size ({@code F.pad(x, pads_from(x.shape))}) or a {@code view(x.size(0), -1)} as a chain of Shape, Gather,
 * Sub, Div, Cast, Unsqueeze, Concat, ConstantOfShape, Reshape, Slice and Transpose nodes; ConvKit knows every size
 * except the batch when it reads the graph, so such chains fold into the constants that Pad and Reshape take.
 * The batch size is unknown: Shape writes 0 for it, which Reshape reads as "keep this dimension" (the batch),
 * the one use a folded batch size has in the graphs we import.
 */
final class ConstFolder {
    static final List<String> OPS = List.of("Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "ConstantOfShape", "Reshape",
            "Slice", "Transpose", "Cast", "Neg", "Add", "Sub", "Mul", "Div");
    private static final Set<String> FOLDABLE = Set.copyOf(OPS);

    private final GraphReader r;

    ConstFolder(GraphReader r) { this.r = r; }

    /** Folds {@code n} when it is shape arithmetic on constants (Shape: on any tensor); false to translate it as a layer. */
    boolean fold(NodeProto n) {
        if (!FOLDABLE.contains(n.getOpType())) return false;
        if (n.getOpType().equals("Shape")) {
            shape(n);
            return true;
        }
        for (String in : n.getInputList()) if (!in.isEmpty() && !r.consts.containsKey(in)) return false;
        Tensors.Const out = switch (n.getOpType()) {
            case "Gather" -> gather(n);
            case "Unsqueeze", "Squeeze" -> squeeze(n, n.getOpType().equals("Unsqueeze"));
            case "Concat" -> concat(n);
            case "ConstantOfShape" -> constantOfShape(n);
            case "Reshape" -> reshape(n);
            case "Slice" -> slice(n);
            case "Transpose" -> transpose(n);
            case "Cast" -> cast(n);
            default -> arithmetic(n);
        };
        r.consts.put(n.getOutput(0), new Tensors.Const(n.getOutput(0), out.dims(), out.floats(), out.longs()));
        return true;
    }

    private Tensors.Const in(NodeProto n, int i) { return r.constant(n, i, true); }

    private void shape(NodeProto n) {
        long[] dims;
        Tensors.Const c = r.consts.get(n.getInput(0));
        if (c != null) {
            dims = c.dims();
        } else {
            Val v = r.val(n, 0);
            int[] d = v.t().shape().dims();
            dims = new long[d.length + 1];                    // [batch, C, H, W] or [batch, K]; batch unknown → 0
            for (int k = 0; k < d.length; k++) dims[k + 1] = d[k];
            if (v.form() == GraphReader.Form.POOLED) dims = new long[] {0, d[0], 1, 1};
            if (v.form() == GraphReader.Form.NHWC) dims = new long[] {0, d[1], d[2], d[0]};
        }
        Attrs a = new Attrs(n);
        int start = (int) norm(a.i("start", 0), dims.length, true), end = (int) norm(a.i("end", dims.length), dims.length, true);
        long[] out = Arrays.copyOfRange(dims, start, Math.max(start, end));
        r.consts.put(n.getOutput(0), new Tensors.Const(n.getOutput(0), new long[] {out.length}, null, out));
    }

    private Tensors.Const gather(NodeProto n) {
        Tensors.Const data = in(n, 0), idx = in(n, 1);
        if (data.dims().length != 1 || new Attrs(n).i("axis", 0) != 0) {
            throw new OnnxException(GraphReader.describe(n) + ": folds only a Gather from a 1-D constant, got shape " + data.shape());
        }
        long[] ix = longs(n, idx);
        float[] f = data.floats() == null ? null : new float[ix.length];
        long[] l = data.longs() == null ? null : new long[ix.length];
        for (int i = 0; i < ix.length; i++) {
            int k = (int) norm(ix[i], data.size(), false);
            if (f != null) f[i] = data.floats()[k];
            else l[i] = data.longs()[k];
        }
        return new Tensors.Const("", idx.dims(), f, l);
    }

    private Tensors.Const squeeze(NodeProto n, boolean unsqueeze) {
        Tensors.Const x = in(n, 0);
        long[] axes = n.getInputCount() > 1 ? longs(n, in(n, 1)) : new Attrs(n).ints("axes");
        long[] dims;
        if (unsqueeze) {
            int rank = x.dims().length + axes.length;
            boolean[] added = new boolean[rank];
            for (long a : axes) added[(int) norm(a, rank, false)] = true;
            dims = new long[rank];
            for (int k = 0, j = 0; k < rank; k++) dims[k] = added[k] ? 1 : x.dims()[j++];
        } else {
            dims = Arrays.stream(x.dims()).filter(d -> d != 1).toArray();
        }
        return new Tensors.Const("", dims, x.floats(), x.longs());
    }

    private Tensors.Const concat(NodeProto n) {
        long total = 0;
        boolean isFloat = in(n, 0).floats() != null;
        for (int i = 0; i < n.getInputCount(); i++) {
            Tensors.Const c = in(n, i);
            if (c.dims().length != 1 || (c.floats() != null) != isFloat) {
                throw new OnnxException(GraphReader.describe(n) + ": folds only a Concat of 1-D constants of one type");
            }
            total += c.size();
        }
        float[] f = isFloat ? new float[(int) total] : null;
        long[] l = isFloat ? null : new long[(int) total];
        int at = 0;
        for (int i = 0; i < n.getInputCount(); i++) {
            Tensors.Const c = in(n, i);
            if (isFloat) System.arraycopy(c.floats(), 0, f, at, (int) c.size());
            else System.arraycopy(c.longs(), 0, l, at, (int) c.size());
            at += (int) c.size();
        }
        return new Tensors.Const("", new long[] {total}, f, l);
    }

    private Tensors.Const constantOfShape(NodeProto n) {
        long[] dims = longs(n, in(n, 0));
        int size = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        Attrs a = new Attrs(n);
        Tensors.Const value = a.has("value") ? Tensors.read(a.raw("value").getT(), r.baseDir) : new Tensors.Const("", new long[] {1}, new float[1], null);
        if (value.floats() != null) {
            float[] f = new float[size];
            Arrays.fill(f, value.floats()[0]);
            return new Tensors.Const("", dims, f, null);
        }
        long[] l = new long[size];
        Arrays.fill(l, value.longs()[0]);
        return new Tensors.Const("", dims, null, l);
    }

    private Tensors.Const reshape(NodeProto n) {
        Tensors.Const x = in(n, 0);
        long[] shape = longs(n, in(n, 1)).clone();
        int infer = -1;
        long known = 1;
        for (int k = 0; k < shape.length; k++) {
            if (shape[k] == 0) shape[k] = x.dims()[k];
            if (shape[k] == -1) infer = k;
            else known *= shape[k];
        }
        if (infer >= 0) shape[infer] = x.size() / Math.max(known, 1);
        if (Arrays.stream(shape).reduce(1, (a, b) -> a * b) != x.size()) {
            throw new OnnxException(GraphReader.describe(n) + ": cannot reshape a constant of shape " + x.shape() + " to " + Arrays.toString(shape));
        }
        return new Tensors.Const("", shape, x.floats(), x.longs());
    }

    private Tensors.Const slice(NodeProto n) {
        Tensors.Const x = in(n, 0);
        int rank = x.dims().length;
        long[] starts = longs(n, in(n, 1)), ends = longs(n, in(n, 2));
        long[] axes = r.constant(n, 3, false) == null ? null : longs(n, in(n, 3));
        long[] steps = r.constant(n, 4, false) == null ? null : longs(n, in(n, 4));
        long[] from = new long[rank], step = new long[rank], outDims = x.dims().clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int ax = (int) norm(axes == null ? i : axes[i], rank, false);
            long dim = x.dims()[ax], st = steps == null ? 1 : steps[i];
            if (st == 0) throw new OnnxException(GraphReader.describe(n) + ": slice step 0");
            long s = starts[i] < 0 ? starts[i] + dim : starts[i], e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (st > 0) { s = clamp(s, 0, dim); e = clamp(e, 0, dim); } else { s = clamp(s, 0, dim - 1); e = clamp(e, -1, dim - 1); }
            from[ax] = s;
            step[ax] = st;
            outDims[ax] = Math.max(0, st > 0 ? (e - s + st - 1) / st : (s - e - st - 1) / -st);
        }
        return gatherIndex(x, outDims, (out, k) -> from[k] + out * step[k], null);
    }

    private Tensors.Const transpose(NodeProto n) {
        Tensors.Const x = in(n, 0);
        int rank = x.dims().length;
        long[] perm = new Attrs(n).ints("perm");
        if (perm == null) { perm = new long[rank]; for (int k = 0; k < rank; k++) perm[k] = rank - 1 - k; }
        long[] outDims = new long[rank];
        for (int k = 0; k < rank; k++) outDims[k] = x.dims()[(int) perm[k]];
        return gatherIndex(x, outDims, (out, k) -> out, perm);
    }

    private interface AxisMap { long source(long outCoord, int axis); }

    /** out[coords] = x[src] where src[perm[k]] = map(coords[k], k) (perm null: identity). */
    private static Tensors.Const gatherIndex(Tensors.Const x, long[] outDims, AxisMap map, long[] perm) {
        int rank = outDims.length, size = (int) Arrays.stream(outDims).reduce(1, (a, b) -> a * b);
        long[] inStrides = new long[rank];
        long s = 1;
        for (int k = rank - 1; k >= 0; s *= x.dims()[k], k--) inStrides[k] = s;
        float[] f = x.floats() == null ? null : new float[size];
        long[] l = x.longs() == null ? null : new long[size];
        long[] coord = new long[rank];
        for (int i = 0; i < size; i++) {
            long src = 0;
            for (int k = 0; k < rank; k++) src += map.source(coord[k], perm == null ? k : (int) perm[k]) * inStrides[perm == null ? k : (int) perm[k]];
            if (f != null) f[i] = x.floats()[(int) src];
            else l[i] = x.longs()[(int) src];
            for (int k = rank - 1; k >= 0 && ++coord[k] == outDims[k]; k--) coord[k] = 0;
        }
        return new Tensors.Const("", outDims, f, l);
    }

    private Tensors.Const cast(NodeProto n) {
        Tensors.Const x = in(n, 0);
        int to = (int) new Attrs(n).i("to", TensorProto.DataType.FLOAT_VALUE);
        if (to == TensorProto.DataType.FLOAT_VALUE || to == TensorProto.DataType.DOUBLE_VALUE) {
            float[] f = x.floats() != null ? x.floats() : new float[(int) x.size()];
            if (x.floats() == null) for (int i = 0; i < f.length; i++) f[i] = x.longs()[i];
            return new Tensors.Const("", x.dims(), f, null);
        }
        if (to == TensorProto.DataType.INT64_VALUE || to == TensorProto.DataType.INT32_VALUE) {
            long[] l = x.longs() != null ? x.longs() : new long[(int) x.size()];
            if (x.longs() == null) for (int i = 0; i < l.length; i++) l[i] = (long) x.floats()[i];
            return new Tensors.Const("", x.dims(), null, l);
        }
        throw new OnnxException(GraphReader.describe(n) + ": folds casts to float or int only, not to " + Tensors.typeName(to));
    }

    private Tensors.Const arithmetic(NodeProto n) {
        String op = n.getOpType();
        Tensors.Const a = in(n, 0), b = op.equals("Neg") ? null : in(n, 1);
        if (b != null && (a.floats() != null) != (b.floats() != null)) throw new OnnxException(GraphReader.describe(n) + ": mixes float and int constants");
        if (b != null && a.size() != b.size() && a.size() != 1 && b.size() != 1) {
            throw new OnnxException(GraphReader.describe(n) + ": folds only equal shapes or a scalar operand, got " + a.shape() + " and " + b.shape());
        }
        Tensors.Const big = b == null || a.size() >= b.size() ? a : b;
        int size = (int) big.size();
        if (a.floats() != null) {
            float[] f = new float[size];
            for (int i = 0; i < size; i++) {
                float x = a.floats()[a.size() == 1 ? 0 : i], y = b == null ? 0 : b.floats()[b.size() == 1 ? 0 : i];
                f[i] = switch (op) { case "Neg" -> -x; case "Add" -> x + y; case "Sub" -> x - y; case "Mul" -> x * y; default -> x / y; };
            }
            return new Tensors.Const("", big.dims(), f, null);
        }
        long[] l = new long[size];
        for (int i = 0; i < size; i++) {
            long x = a.longs()[a.size() == 1 ? 0 : i], y = b == null ? 0 : b.longs()[b.size() == 1 ? 0 : i];
            if (op.equals("Div") && y == 0) throw new OnnxException(GraphReader.describe(n) + ": integer division by zero");
            l[i] = switch (op) { case "Neg" -> -x; case "Add" -> x + y; case "Sub" -> x - y; case "Mul" -> x * y; default -> x / y; };
        }
        return new Tensors.Const("", big.dims(), null, l);
    }

    private static long[] longs(NodeProto n, Tensors.Const c) {
        if (c.longs() == null) throw new OnnxException(GraphReader.describe(n) + ": '" + c.name() + "' must be an integer tensor");
        return c.longs();
    }

    private static long norm(long axis, long rank, boolean clampToRange) {
        long a = axis < 0 ? axis + rank : axis;
        return clampToRange ? clamp(a, 0, rank) : a;
    }

    private static long clamp(long v, long lo, long hi) { return Math.max(lo, Math.min(hi, v)); }
}
