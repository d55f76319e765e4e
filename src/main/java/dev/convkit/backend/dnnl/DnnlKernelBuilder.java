package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_submemory;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_scratchpad_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;

import dev.convkit.backend.BackendException;
import dev.convkit.backend.dnnl.DnnlKernel.Binding;
import dev.convkit.backend.dnnl.DnnlKernel.HostStep;
import dev.convkit.backend.dnnl.DnnlKernel.PrimitiveCall;
import dev.convkit.backend.dnnl.DnnlKernel.Slot;
import dev.convkit.backend.dnnl.DnnlKernel.Source;
import dev.convkit.ops.Op;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Compile-time assembly of a {@link DnnlKernel}: creates descriptors, primitives and memory objects (each
 * registered for release), lays out the kernel's scratch (its own temporaries first, then one region shared by the
 * scratchpads of its primitives, which oneDNN is told to leave to the user) and orders the steps. If compilation
 * fails, {@link #abandon()} releases whatever was created.
 */
final class DnnlKernelBuilder {

    /** A memory object of the kernel being built, bound to a slot of the run arguments, or (slot null) a constant. */
    record Mem(dnnl_memory memory, dnnl_memory_desc desc, Slot slot) {}

    /** One argument of a primitive execution. */
    record Arg(int kind, Mem mem) {}

    private record PendingCall(String what, dnnl_primitive primitive, dnnl_memory_desc scratchpad, long scratchpadBytes,
                               List<Arg> args) {}

    private final DnnlBackend backend;
    final Op op;
    final List<TensorSpec> inputs;
    final List<TensorSpec> outputs;
    private final NativeResources resources = new NativeResources();
    private final List<Binding> bindings = new ArrayList<>();
    private final List<Object> steps = new ArrayList<>();
    /** Output reorders waiting for the next primitive call (from a temporary into the dst buffer). */
    private final List<Mem[]> pendingOutputs = new ArrayList<>();
    private final DnnlKernelAttrs attrs;
    private long tempBytes;
    private long savedBytes;
    private long savedRead;

    DnnlKernelBuilder(DnnlBackend backend, Op op, List<TensorSpec> inputs, List<TensorSpec> outputs) {
        this.backend = backend;
        this.op = op;
        this.inputs = inputs;
        this.outputs = outputs;
        this.attrs = new DnnlKernelAttrs(resources, backend.deterministic(), this::check);
    }

    DnnlBackend backend() { return backend; }

    void check(int status, String call) { DnnlStatus.check(status, call, op, inputs); }

    // ---- descriptors ---------------------------------------------------------------------------------------

    private dnnl_memory_desc own(dnnl_memory_desc md) {
        resources.add("dnnl_memory_desc_destroy", () -> dnnl_memory_desc_destroy(md));
        return md;
    }

    /** Descriptor of a tensor spec in its layout (the canonical mapping of {@link DnnlDescs}). */
    dnnl_memory_desc desc(TensorSpec spec) { return own(DnnlDescs.create(spec, backend.formats(), op, inputs)); }

    /** Descriptor of input i. */
    dnnl_memory_desc inputDesc(int i) { return desc(inputs.get(i)); }

    /** Descriptor of output j. */
    dnnl_memory_desc outputDesc(int j) { return desc(outputs.get(j)); }

    /** Whether this kernel works on blocked tensors: one of its inputs or outputs is in the engine layout. */
    boolean blockedWork() {
        for (TensorSpec s : inputs) if (s.layout() == Layout.ENGINE) return true;
        for (TensorSpec s : outputs) if (s.layout() == Layout.ENGINE) return true;
        return false;
    }

    /**
     * Descriptor of input i in this kernel's working layout: the engine's blocked format for a 4-D input of a kernel
     * that works blocked ({@link #blockedWork()}), the input's own layout otherwise.
     */
    dnnl_memory_desc workDesc(int i) {
        TensorSpec s = inputs.get(i);
        if (s.rank() == 4 && s.layout() == Layout.CANONICAL && blockedWork()) return desc(DnnlLayoutPolicy.engine(s));
        return inputDesc(i);
    }

    /** Input i in the working layout ({@link #workDesc}): its buffer, or a blocked temporary filled by a reorder. */
    Mem srcWork(int i) { return srcAs(i, workDesc(i)); }

    /**
     * Element type of input i: descriptors of activations built from dimensions (views, temporaries, format any)
     * take it, so one kernel definition serves f32 and bf16 programs.
     */
    DType type(int i) { return inputs.get(i).dtype(); }

    /** Element type of output j. */
    DType outType(int j) { return outputs.get(j).dtype(); }

    /** An f32 descriptor of {@code dims} (4-D) in the engine's f32 format; only for kernels that work blocked. */
    dnnl_memory_desc blockedDesc(long... dims) { return blockedDesc(DType.F32, dims); }

    /** A descriptor of {@code dims} (4-D) of type {@code t} in the engine's format for {@code t}. */
    dnnl_memory_desc blockedDesc(DType t, long... dims) {
        DnnlBlockedFormat f = backend.blocked(t);
        if (f == null) throw new IllegalStateException(op.name() + ": this cpu engine has no engine format for " + t.lower());
        return tagged(t, dims, f.tag());
    }

    /** An f32 descriptor with explicit strides (elements): transposed or permuted views of canonical buffers. */
    dnnl_memory_desc strided(long[] dims, long[] strides) { return strided(DType.F32, dims, strides); }

    /** A descriptor of type {@code t} with explicit strides (elements). */
    dnnl_memory_desc strided(DType t, long[] dims, long[] strides) {
        return own(DnnlDescs.strided(t, dims, strides, op, inputs));
    }

    /** Row-major f32 descriptor of {@code dims}. */
    dnnl_memory_desc plain(long... dims) { return plain(DType.F32, dims); }

    /** Row-major descriptor of type {@code t}. */
    dnnl_memory_desc plain(DType t, long... dims) { return strided(t, dims, DnnlDescs.rowMajorStrides(dims)); }

    /** f32 descriptor with format {@code any}: the primitive chooses its layout. */
    dnnl_memory_desc any(long... dims) { return any(DType.F32, dims); }

    /** Descriptor of type {@code t} with format {@code any}. */
    dnnl_memory_desc any(DType t, long... dims) { return tagged(t, dims, dnnl_format_tag_any); }

    dnnl_memory_desc tagged(long[] dims, int tag) { return tagged(DType.F32, dims, tag); }

    dnnl_memory_desc tagged(DType t, long[] dims, int tag) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, DnnlDescs.dataType(t), tag),
                "dnnl_memory_desc_create_with_tag");
        return own(md);
    }

    /** A window {@code dims} at {@code offsets} of {@code parent}; memory with it uses the parent's base address. */
    dnnl_memory_desc submemory(dnnl_memory_desc parent, long[] dims, long[] offsets) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_submemory(md, parent, dims, offsets), "dnnl_memory_desc_create_submemory");
        return own(md);
    }

    /** Like {@link #submemory}, or null when oneDNN cannot describe that window (e.g. it splits a channel block). */
    dnnl_memory_desc trySubmemory(dnnl_memory_desc parent, long[] dims, long[] offsets) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        if (dnnl_memory_desc_create_submemory(md, parent, dims, offsets) != 0) return null;
        return own(md);
    }

    /** A descriptor a primitive descriptor chose (owned by it; valid while the pd lives, i.e. the kernel's life). */
    dnnl_memory_desc query(dnnl_primitive_desc pd, int what, int index) {
        return dnnl_primitive_desc_query_md(pd, what, index);
    }

    /** oneDNN's name of the implementation {@code pd} chose, e.g. "jit:avx512_core" or "ref:any". */
    static String implementation(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> out = new PointerPointer<>(1)) {
            if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, out) != 0 || out.get(0) == null) return "";
            return new BytePointer(out.get(0)).getString();
        }
    }

    /** Whether {@code pd} runs an optimised implementation rather than oneDNN's reference code. */
    boolean isOptimised(dnnl_primitive_desc pd) { return !implementation(pd).startsWith("ref"); }

    static long size(dnnl_memory_desc md) { return md == null || md.isNull() ? 0 : dnnl_memory_desc_get_size(md); }

    static boolean same(dnnl_memory_desc a, dnnl_memory_desc b) { return dnnl_memory_desc_equal(a, b) == 1; }

    // ---- primitive descriptors ----------------------------------------------------------------------------

    /**
     * Attributes shared by every primitive of the kernel: the scratchpad is provided by the caller, and with
     * {@code BackendOptions.deterministic} oneDNN must pick implementations whose results do not vary between runs.
     */
    dnnl_primitive_attr attr() { return attrs.plain(); }

    /** An empty primitive-descriptor handle for a {@code dnnl_*_primitive_desc_create} call, released with the kernel. */
    dnnl_primitive_desc newPd() {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        resources.add("dnnl_primitive_desc_destroy", () -> pd.isNull() ? 0 : dnnl_primitive_desc_destroy(pd));
        return pd;
    }

    /** Takes ownership of a primitive descriptor returned through a {@code PointerPointer} out-parameter. */
    dnnl_primitive_desc adoptPd(Pointer created) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc(created);
        resources.add("dnnl_primitive_desc_destroy", () -> dnnl_primitive_desc_destroy(pd));
        return pd;
    }

    // ---- memory objects ------------------------------------------------------------------------------------

    private Mem bind(dnnl_memory_desc md, Slot slot) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, backend.engine(), (Pointer) null), "dnnl_memory_create");
        resources.add("dnnl_memory_destroy", () -> dnnl_memory_destroy(m));
        bindings.add(new Binding(m, slot));
        return new Mem(m, md, slot);
    }

    /** Input i's buffer seen through {@code md} (its canonical descriptor or a view of the same bytes). */
    Mem src(int i, dnnl_memory_desc md) { return bind(md, new Slot(Source.SRC, i, 0)); }

    Mem src(int i) { return src(i, inputDesc(i)); }

    Mem dst(int j, dnnl_memory_desc md) { return bind(md, new Slot(Source.DST, j, 0)); }

    Mem dst(int j) { return dst(j, outputDesc(j)); }

    /** The saved buffer this (forward) kernel fills, described by {@code md}. */
    Mem savedWritten(dnnl_memory_desc md) {
        savedBytes = Math.max(savedBytes, size(md));
        return bind(md, new Slot(Source.SAVED, 0, 0));
    }

    /** The saved buffer of the forward kernel, read by this backward kernel. */
    Mem savedRead(dnnl_memory_desc md) {
        savedRead = Math.max(savedRead, size(md));
        return bind(md, new Slot(Source.SAVED, 0, 0));
    }

    /** The bytes of {@code m}'s run argument from {@code bytes} past {@code m}'s start, seen through {@code md}. */
    Mem view(Mem m, long bytes, dnnl_memory_desc md) {
        Slot s = m.slot();
        return bind(md, new Slot(s.source(), s.index(), s.offset() + bytes));
    }

    /**
     * The engine's constant zeros seen through {@code md}, which must read at most {@link DnnlBackend#ZEROS_BYTES}
     * bytes (zero strides).
     */
    Mem zeros(dnnl_memory_desc md) { return bind(md, new Slot(Source.ZEROS, 0, 0)); }

    /**
     * A constant of this kernel: {@code values} (row-major in {@code md}'s f32 dims) in native memory it owns, the
     * same in every run (transform matrices).
     */
    Mem constant(dnnl_memory_desc md, float[] values) {
        Pointer raw = Pointer.malloc((long) values.length * Float.BYTES);
        if (raw == null || raw.isNull()) {
            throw new BackendException(DnnlStatus.ENGINE, op, inputs, 0, "out of host memory for a " + values.length + "-float constant");
        }
        resources.add("free constant", () -> {
            Pointer.free(raw);
            return 0;
        });
        new FloatPointer(raw).put(values);
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, backend.engine(), raw), "dnnl_memory_create");
        resources.add("dnnl_memory_destroy", () -> dnnl_memory_destroy(m));
        return new Mem(m, md, null);
    }

    /** A temporary of this kernel, in its own region of the scratch buffer. */
    Mem temp(dnnl_memory_desc md) {
        long offset = tempBytes;
        tempBytes += align(size(md));
        return bind(md, new Slot(Source.SCRATCH, 0, offset));
    }

    /** Reserves {@code bytes} of scratch for a host step and returns their offset in the scratch buffer. */
    long tempRegion(long bytes) {
        long offset = tempBytes;
        tempBytes += align(bytes);
        return offset;
    }

    /**
     * Input i in the layout {@code wanted} (chosen by a primitive, or the kernel's working layout): the input buffer
     * itself when it already has that layout, otherwise a temporary filled by a reorder step appended now.
     */
    Mem srcAs(int i, dnnl_memory_desc wanted) { return srcAs(i, inputDesc(i), wanted); }

    /** Like {@link #srcAs(int, dnnl_memory_desc)}, with input i's bytes seen through {@code canonical} (a view). */
    Mem srcAs(int i, dnnl_memory_desc canonical, dnnl_memory_desc wanted) {
        if (same(canonical, wanted)) return src(i, canonical);
        Mem t = temp(wanted);
        reorder(src(i, canonical), t);
        return t;
    }

    /**
     * Output j in the layout {@code wanted}: the output buffer itself when it has that layout, otherwise a temporary
     * that a reorder into the output buffer copies out right after the next primitive call.
     */
    Mem dstAs(int j, dnnl_memory_desc wanted) { return dstAs(j, outputDesc(j), wanted); }

    /** Like {@link #dstAs(int, dnnl_memory_desc)}, with output j's bytes seen through {@code canonical} (a view). */
    Mem dstAs(int j, dnnl_memory_desc canonical, dnnl_memory_desc wanted) {
        if (same(canonical, wanted)) return dst(j, canonical);
        Mem t = temp(wanted);
        pendingOutputs.add(new Mem[] {t, dst(j, canonical)});
        return t;
    }

    // ---- steps ---------------------------------------------------------------------------------------------

    /** Appends an execution of a primitive created from {@code pd} with these arguments. */
    void exec(String what, dnnl_primitive_desc pd, Arg... args) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "dnnl_primitive_create(" + what + ")");
        resources.add("dnnl_primitive_destroy", () -> dnnl_primitive_destroy(p));
        dnnl_memory_desc scratchpad = query(pd, dnnl_query_scratchpad_md, 0);
        steps.add(new PendingCall(what, p, scratchpad, size(scratchpad), List.of(args)));
        List<Mem[]> outs = new ArrayList<>(pendingOutputs);
        pendingOutputs.clear();
        for (Mem[] o : outs) reorder(o[0], o[1]);
    }

    static Arg arg(int kind, Mem mem) { return new Arg(kind, mem); }

    /** Appends a reorder (layout conversion or plain copy) from one memory to another of the same logical shape. */
    void reorder(Mem from, Mem to) { reorder(from, to, attr(), "reorder"); }

    /** Appends a reorder that adds {@code from} to {@code to} (of the same logical shape) instead of overwriting it. */
    void accumulate(Mem from, Mem to) { reorder(from, to, attrs.accumulating(), "reorder +="); }

    private void reorder(Mem from, Mem to, dnnl_primitive_attr a, String what) {
        dnnl_primitive_desc pd = newPd();
        check(dnnl_reorder_primitive_desc_create(pd, from.desc(), backend.engine(), to.desc(), backend.engine(), a),
                "dnnl_reorder_primitive_desc_create");
        exec(what, pd, arg(DNNL_ARG_FROM, from), arg(DNNL_ARG_TO, to));
    }

    /**
     * Floats in input i's buffer for a host loop (padding of a blocked layout included), which indexes floats with
     * an int; larger tensors are rejected here.
     */
    int hostLoopLength(int i) {
        long n = backend.sizeOf(inputs.get(i)) / Float.BYTES;
        if (n > Integer.MAX_VALUE) {
            throw new BackendException(DnnlStatus.ENGINE, op, inputs, 0, "input " + i + " has " + n
                    + " elements; the cpu engine's host loop for this op handles at most " + Integer.MAX_VALUE);
        }
        return (int) n;
    }

    /** Appends Java code run over the buffers (after waiting for the primitives before it). */
    void host(HostStep step) { steps.add(step); }

    // ---- assembly ------------------------------------------------------------------------------------------

    /** The finished kernel. Scratch = this kernel's temporaries followed by the largest primitive scratchpad. */
    DnnlKernel build() {
        if (!pendingOutputs.isEmpty()) throw new IllegalStateException("output reorder without a primitive call");
        long scratchpadAt = tempBytes;
        long scratchpadMax = 0;
        List<Object> finished = new ArrayList<>();
        for (Object step : steps) {
            if (step instanceof PendingCall c) {
                List<Arg> args = new ArrayList<>(c.args());
                if (c.scratchpadBytes() > 0) {
                    args.add(arg(DNNL_ARG_SCRATCHPAD, bind(c.scratchpad(), new Slot(Source.SCRATCH, 0, scratchpadAt))));
                    scratchpadMax = Math.max(scratchpadMax, c.scratchpadBytes());
                }
                dnnl_exec_arg_t array = execArgs(args.size());
                for (int k = 0; k < args.size(); k++) {
                    array.position(k).arg(args.get(k).kind()).memory(args.get(k).mem().memory());
                }
                array.position(0);
                finished.add(new PrimitiveCall(c.what(), c.primitive(), array, args.size()));
            } else {
                finished.add(step);
            }
        }
        long scratch = scratchpadMax > 0 ? scratchpadAt + align(scratchpadMax) : tempBytes;
        DnnlKernel k = new DnnlKernel(backend, op, inputs, outputs, scratch, savedBytes, savedRead, bindings, finished,
                resources);
        backend.track(k);
        return k;
    }

    /** A native array of {@code count} exec args, malloc'ed here and freed with the kernel (no GC involvement). */
    private dnnl_exec_arg_t execArgs(int count) {
        Pointer raw = Pointer.malloc((long) count * Loader.sizeof(dnnl_exec_arg_t.class));
        if (raw == null || raw.isNull()) {
            throw new BackendException(DnnlStatus.ENGINE, op, inputs, 0, "out of host memory for " + count + " exec args");
        }
        resources.add("free exec args", () -> {
            Pointer.free(raw);
            return 0;
        });
        return new dnnl_exec_arg_t(raw);
    }

    /** Releases everything created so far (compilation failed). */
    void abandon() { resources.releaseAll(); }

    static long align(long bytes) {
        long a = DnnlBackend.ALIGNMENT;
        return (bytes + a - 1) / a * a;
    }
}
