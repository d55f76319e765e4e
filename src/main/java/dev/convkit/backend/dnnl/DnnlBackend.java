package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.BatchNormReluBwd;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.Composite;
import dev.convkit.ops.Op;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.Pointer;

/**
 * An opened cpu engine: one oneDNN cpu engine (index 0), one in-order stream, the arenas and kernels made from it.
 * Closing it closes every kernel and arena still open, then the stream and the engine.
 *
 * <p>Threads: oneDNN here runs on OpenMP (libgomp), whose thread count is fixed from {@code OMP_NUM_THREADS} (or
 * the CPUs the process may use) when the library loads, and the preset exposes no call to change it.
 * {@code threads = 0} takes that pool; any other value must equal it, otherwise opening fails and says to set
 * {@code OMP_NUM_THREADS}. Host loops use as many Java threads (at most the JVM's core count).
 *
 * <p>Layouts: 4-D activations stay in one format per element type ({@link DnnlActivationFormats}: f32 in nChw16c on
 * AVX-512 or nChw8c on AVX2, bf16 in nhwc on AMX) from kernel to kernel as {@link dev.convkit.tensor.Layout#ENGINE}; {@link DnnlLayoutPolicy} says which
 * kernel writes what, and {@link #sizeOf} includes the padded channels. Parameters, their gradients and every
 * non-4-D tensor are canonical; {@link #reorder} converts between the two.
 *
 * <p>{@code deterministic} sets oneDNN's deterministic attribute on every primitive. {@code scratchLimitBytes}
 * bounds cuDNN's algorithm search and has no counterpart here: each kernel's scratch is its primitives' scratchpad
 * plus the layout copies it works on (blocked weights, a canonical input of a blocked kernel), reported by
 * {@link Kernel#scratchBytes()}.
 */
final class DnnlBackend implements Backend {
    /** Alignment of buffer offsets (a cache line, and what oneDNN's AVX-512 code prefers). */
    static final int ALIGNMENT = 64;

    private final dnnl_engine engine = new dnnl_engine();
    private final dnnl_stream stream = new dnnl_stream();
    private final HostThreads hostThreads;
    private final String device;
    private final boolean deterministic;
    /** What {@link dev.convkit.tensor.Layout#ENGINE} means here per element type (null formats: canonical). */
    private final DnnlActivationFormats formats;
    private final Set<DnnlKernel> kernels = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<DnnlArena> arenas = Collections.newSetFromMap(new IdentityHashMap<>());
    private final NativeAddress zeroTarget = new NativeAddress();
    /** {@link #ZEROS_BYTES} bytes of zeros that nothing writes: the source of zero-stride copies. */
    private final Pointer zeros;
    static final int ZEROS_BYTES = 1 << 16;
    private boolean open = true;
    /** Whether programs for this engine use fused ops ({@link #fuses}): {@link BackendOptions#fusedOps()}. */
    private final boolean fused;

    DnnlBackend(BackendOptions options) { this(options, true); }

    /**
     * @param engineLayouts whether 4-D activations may be kept in oneDNN's blocked format between kernels (when the
     *                      convolution prefers one here); false keeps every tensor canonical, as a reference for tests
     */
    DnnlBackend(BackendOptions options, boolean engineLayouts) {
        int pool = openMpThreads();
        if (options.threads() < 0) throw new IllegalArgumentException("threads must be >= 0, got " + options.threads());
        if (options.threads() != 0 && options.threads() != pool) {
            throw new BackendException(DnnlStatus.ENGINE, "cannot run on " + options.threads() + " threads: oneDNN's"
                    + " OpenMP pool has " + pool + " threads, fixed when the library loads; start the JVM with"
                    + " OMP_NUM_THREADS=" + options.threads() + " or pass 0 threads");
        }
        DnnlStatus.check(dnnl_engine_create(engine, dnnl_cpu, 0), "dnnl_engine_create", null, null);
        int status = dnnl_stream_create(stream, engine, dnnl_stream_default_flags);
        if (status != 0) {
            dnnl_engine_destroy(engine);
            DnnlStatus.check(status, "dnnl_stream_create", null, null);
        }
        formats = engineLayouts ? new DnnlActivationFormats(DnnlBlockedFormat.probe(engine, DType.F32),
                DnnlBf16.unsupportedReason() == null ? DnnlBlockedFormat.probe(engine, DType.BF16) : null)
                : DnnlActivationFormats.CANONICAL;
        zeros = Pointer.calloc(1, ZEROS_BYTES);
        if (zeros == null || zeros.isNull()) {
            dnnl_stream_destroy(stream);
            dnnl_engine_destroy(engine);
            throw new BackendException(DnnlStatus.ENGINE, "out of host memory for " + ZEROS_BYTES + " bytes of zeros");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        hostThreads = new HostThreads(Math.min(pool, cores));
        deterministic = options.deterministic();
        fused = options.fusedOps();
        device = "oneDNN " + DnnlProvider.version() + " on " + pool + " threads (" + DnnlProvider.isa()
                + ", " + formats + ")"
                + (pool > cores ? "; the JVM may use only " + cores + " cores: set OMP_NUM_THREADS=" + cores : "");
    }

    /**
     * OpenMP's thread count as libgomp decides it: {@code OMP_NUM_THREADS} (its first entry) when set, else the
     * CPUs this process may run on (its affinity mask, which libgomp reads; cgroup quotas it does not).
     */
    static int openMpThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        if (env != null) {
            try {
                int n = Integer.parseInt(env.split(",")[0].trim());
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // libgomp ignores a malformed value as well and uses every allowed CPU
            }
        }
        int allowed = allowedCpus();
        return allowed > 0 ? allowed : Runtime.getRuntime().availableProcessors();
    }

    /** CPUs in this process's affinity mask ("Cpus_allowed_list: 0-3,8" in /proc/self/status), or 0 if unknown. */
    private static int allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (!line.startsWith("Cpus_allowed_list:")) continue;
                int count = 0;
                for (String part : line.substring(line.indexOf(':') + 1).trim().split(",")) {
                    String[] range = part.trim().split("-");
                    int first = Integer.parseInt(range[0].trim());
                    int last = range.length > 1 ? Integer.parseInt(range[1].trim()) : first;
                    count += last - first + 1;
                }
                return count;
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    dnnl_engine engine() { return engine; }

    dnnl_stream stream() { return stream; }

    HostThreads hostThreads() { return hostThreads; }

    /** Address of {@link #ZEROS_BYTES} constant zero bytes, valid while the engine is open. */
    long zeros() { return zeros.address(); }

    /** The engine layout per element type. */
    DnnlActivationFormats formats() { return formats; }

    /** The format of engine-layout tensors of type {@code t}, or null when this engine keeps them canonical. */
    DnnlBlockedFormat blocked(DType t) { return formats.of(t); }

    /** Whether kernels must be run-to-run deterministic (oneDNN's deterministic attribute). */
    boolean deterministic() { return deterministic; }

    @Override public String name() { return DnnlProvider.NAME; }

    @Override public String device() { return device; }

    @Override public int alignment() { return ALIGNMENT; }

    @Override public long sizeOf(TensorSpec spec) { return DnnlDescs.bytes(spec, formats); }

    /** 4-D activations in the engine format of their type when the machine has one ({@link DnnlLayoutPolicy}). */
    @Override public Layout preferredLayout(TensorSpec spec) {
        return formats.of(spec) != null && spec.rank() == 4 ? Layout.ENGINE : Layout.CANONICAL;
    }

    @Override public Kernel compile(Op op, List<TensorSpec> inputs, Kernel forward) {
        requireOpen();
        return DnnlKernels.compile(this, op, inputs, forward);
    }

    /**
     * The composites of {@link DnnlKernels#COMPOSITES}: BN + ReLU, in training (oneDNN's fuse_norm_relu: one
     * primitive and a 1-bit mask instead of an eltwise pass forward and backward) and in inference, unless fusion is
     * off; leaky ReLU and its gradient (one eltwise_relu with alpha instead of five ops).
     */
    @Override public boolean fuses(Op fusedOp) {
        boolean bnRelu = fusedOp instanceof BatchNormReluTrain || fusedOp instanceof BatchNormReluInfer
                || fusedOp instanceof BatchNormReluBwd;
        return DnnlKernels.COMPOSITES.claims(fusedOp) && (fused || !bnRelu);
    }

    /** f32 always; bf16 where the CPU runs it natively ({@link DnnlBf16}); f16 never. */
    @Override public String unsupportedType(DType t) {
        return switch (t) {
            case F32 -> null;
            case BF16 -> DnnlBf16.unsupportedReason();
            case F16 -> "the cpu engine has no f16 kernels (it runs f32, and bf16 on CPUs with native bf16)";
        };
    }
    @Override public Set<Class<? extends Composite>> compositeKernels() { return DnnlKernels.COMPOSITES.types(); }

    @Override public Kernel reorder(TensorSpec from, TensorSpec to) {
        requireOpen();
        return DnnlKernels.reorder(this, from, to);
    }

    @Override public long availableMemory() { return HostMemory.available(); }

    @Override public Arena allocate(MemoryKind kind, long bytes) {
        requireOpen();
        DnnlArena a = DnnlArena.allocate(this, kind, bytes);
        arenas.add(a);
        return a;
    }

    @Override public void upload(Buffer dst, FloatBuffer src) {
        DnnlBuffer b = own(dst, "upload into");
        int n = src.remaining();
        requireFits(b, n, "upload");
        b.floats().put(0, src, src.position(), n);
    }

    @Override public void download(Buffer src, FloatBuffer dst) {
        DnnlBuffer b = own(src, "download from");
        int n = dst.remaining();
        requireFits(b, n, "download");
        dst.put(dst.position(), b.floats(), 0, n);
    }

    @Override public void zero(Buffer dst) {
        DnnlBuffer b = own(dst, "zero");
        if (b.bytes() > 0) Pointer.memset(zeroTarget.at(b.address()), 0, b.bytes());
    }

    @Override public void synchronize() {
        requireOpen();
        DnnlStatus.check(dnnl_stream_wait(stream), "dnnl_stream_wait", null, null);
    }

    private DnnlBuffer own(Buffer buffer, String what) {
        requireOpen();
        if (!(buffer instanceof DnnlBuffer b) || b.dnnlArena().owner() != this) {
            throw new IllegalArgumentException("cannot " + what + " " + buffer + ": not a buffer of this cpu engine");
        }
        return b;
    }

    private static void requireFits(DnnlBuffer b, int floats, String what) {
        if ((long) floats * Float.BYTES > b.bytes()) {
            throw new IllegalArgumentException("cannot " + what + " " + floats + " floats (" + (long) floats * Float.BYTES
                    + " bytes): the " + b + " holds " + b.bytes() + " bytes");
        }
    }

    private void requireOpen() {
        if (!open) throw new IllegalStateException("the cpu engine was closed");
    }

    void track(DnnlKernel k) { kernels.add(k); }

    void forget(DnnlKernel k) { kernels.remove(k); }

    void forget(DnnlArena a) { arenas.remove(a); }

    @Override public void close() {
        if (!open) return;
        RuntimeException failure = null;
        for (DnnlKernel k : new ArrayList<>(kernels)) {
            try {
                k.close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        for (DnnlArena a : new ArrayList<>(arenas)) a.close();
        hostThreads.close();
        Pointer.free(zeros);
        open = false;
        int s1 = dnnl_stream_destroy(stream);
        int s2 = dnnl_engine_destroy(engine);
        if (failure != null) throw failure;
        DnnlStatus.check(s1, "dnnl_stream_destroy", null, null);
        DnnlStatus.check(s2, "dnnl_engine_destroy", null, null);
    }

    @Override public String toString() { return "cpu engine: " + device + (open ? "" : " (closed)"); }
}
