package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_ATOMICS_NOT_ALLOWED;
import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetAtomicsMode;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetWorkspace_v2;
import static org.bytedeco.cuda.global.cudart.cuCtxGetCurrent;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.bytedeco.cuda.global.cudnn.cudnnCreate;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroy;
import static org.bytedeco.cuda.global.cudnn.cudnnSetStream;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.Composite;
import dev.convkit.ops.Op;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * The cuda engine: one CUDA stream, one cuDNN handle and one cuBLAS handle bound to it, our kernel module, pinned
 * staging memory for host transfers. Instances share nothing, so two engines on two threads do not interfere. Every
 * device allocation happens in {@link #allocate} or while compiling (cuDNN algorithm search, cuBLAS workspace); a
 * kernel run only enqueues work on the stream. Every call that reaches CUDA first makes this engine's device context
 * current on the calling thread when another one is ({@link #bind}), so engines on different GPUs can share a thread.
 */
final class CudaBackend implements Backend {
    static final int ALIGNMENT = 256;
    /** cuBLAS workspace set explicitly so cuBLAS never allocates during a step (32 MiB suits Hopper). */
    private static final long CUBLAS_WORKSPACE_BYTES = 32L << 20;
    /** Floats per pinned staging buffer; there are two, so one fills while the other is copied. */
    private static final int STAGING_FLOATS = 1 << 20;

    private final BackendOptions options;
    private final CudaDevice device;
    private final CUstream_st stream = new CUstream_st();
    private final cudnnContext cudnn = new cudnnContext();
    private final cublasContext cublas = new cublasContext();
    private final Set<CudaArena> arenas = new LinkedHashSet<>();
    private final Map<String, ConvAlgorithms.Choice> algorithmCache = new HashMap<>();
    private final DevicePointer transferPointer = new DevicePointer();
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);
    /** The device's primary context, set by {@link #open}; {@link #bind} compares the thread's current one with it. */
    private final CUctx_st context = new CUctx_st();
    private final CUctx_st current = new CUctx_st();
    private final PinnedStaging[] staging = new PinnedStaging[2];
    private CudaArena cublasWorkspace;
    private CudaModule module;
    private CudaKernel lastLaunched;
    private CudaKernel underConstruction;
    private boolean closed;

    private CudaBackend(BackendOptions options, CudaDevice device) {
        this.options = options;
        this.device = device;
    }

    /** Opens an engine on {@code options.deviceIndex()}; the provider has checked availability. */
    static CudaBackend open(BackendOptions options) {
        CudaDevice device = CudaDevice.query(options.deviceIndex());
        CudaBackend b = new CudaBackend(options, device);
        try {
            b.attach();
            Check.runtime(cudaStreamCreateWithFlags(b.stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
            Check.cudnn(cudnnCreate(b.cudnn), "cudnnCreate", null, null);
            Check.cudnn(cudnnSetStream(b.cudnn, b.stream), "cudnnSetStream", null, null);
            Check.cublas(cublasCreate_v2(b.cublas), "cublasCreate", null, null);
            // cublasSetStream resets the workspace, so the stream is set first. Default math: full FP32, no TF32.
            Check.cublas(cublasSetStream_v2(b.cublas, b.stream), "cublasSetStream", null, null);
            Check.cublas(cublasSetMathMode(b.cublas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode", null, null);
            Check.cublas(cublasSetAtomicsMode(b.cublas, CUBLAS_ATOMICS_NOT_ALLOWED), "cublasSetAtomicsMode", null, null);
            b.cublasWorkspace = (CudaArena) b.allocate(MemoryKind.SCRATCH, CUBLAS_WORKSPACE_BYTES);
            Check.cublas(cublasSetWorkspace_v2(b.cublas, new DevicePointer(b.cublasWorkspace.address(0)),
                    CUBLAS_WORKSPACE_BYTES), "cublasSetWorkspace", null, null);
            for (int i = 0; i < b.staging.length; i++) b.staging[i] = new PinnedStaging(STAGING_FLOATS);
            byte[] fatbin = Fatbin.readPackaged();
            if (fatbin == null) throw new BackendException(Check.ENGINE, Fatbin.resourcePath() + " is not on the class path");
            b.module = CudaModule.load(fatbin, Fatbin.resourcePath());
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    @Override public String name() { return Check.ENGINE; }

    @Override public String device() { return device.describe(); }

    @Override public int alignment() { return ALIGNMENT; }

    BackendOptions options() { return options; }

    CUstream_st stream() { return stream; }

    cudnnContext cudnn() { return cudnn; }

    cublasContext cublas() { return cublas; }

    CudaModule module() { return module; }

    /** Host float 1 and 0, the alpha/beta scalars of cuDNN and cuBLAS calls. */
    FloatPointer one() { return one; }

    FloatPointer zero() { return zero; }

    /** Algorithms measured by this engine, keyed by convolution direction and geometry. */
    Map<String, ConvAlgorithms.Choice> algorithmCache() { return algorithmCache; }

    @Override public Kernel compile(Op op, List<TensorSpec> inputs, Kernel forward) {
        ensureOpen();
        bind();
        underConstruction = null;
        try {
            return CudaKernels.compile(this, op, inputs, forward);
        } catch (RuntimeException e) {
            // A kernel constructor failed after creating descriptors or launches: release them here.
            if (underConstruction != null) underConstruction.close();
            throw e;
        } finally {
            underConstruction = null;
        }
    }

    /** Called by each kernel's constructor; see {@link #compile}. */
    void underConstruction(CudaKernel kernel) { underConstruction = kernel; }

    @Override public String unsupportedType(DType t) {
        return t == DType.F32 ? null : "the cuda engine runs f32 only: mixed precision (" + t.lower() + ") is implemented on"
                + " the cpu engine and has no cuDNN kernels here yet; use precision fp32 with the cuda engine, or --engine cpu";
    }
    /** The composites of {@link CudaKernels#COMPOSITES}: leaky ReLU and its gradient (one kernel instead of five ops). */
    @Override public boolean fuses(Op fusedOp) { return CudaKernels.COMPOSITES.claims(fusedOp); }

    @Override public Set<Class<? extends Composite>> compositeKernels() { return CudaKernels.COMPOSITES.types(); }

    @Override public Kernel reorder(TensorSpec from, TensorSpec to) {
        ensureOpen();
        bind();
        return CudaLayout.reorder(this, from, to);
    }

    @Override public Arena allocate(MemoryKind kind, long bytes) {
        ensureOpen();
        if (bytes < 0) throw new IllegalArgumentException("cannot allocate " + bytes + " bytes for " + kind);
        bind();
        long base = 0;
        if (bytes > 0) {
            Pointer p = new Pointer();
            int status = cudaMalloc(p, bytes);
            if (status != 0) {
                cudaGetLastError();  // clear it, so no later library call mistakes it for its own failure
                throw outOfMemory(kind + " arena", bytes, status);
            }
            base = p.address();
        }
        CudaArena arena = new CudaArena(this, kind, bytes, base);
        arenas.add(arena);
        return arena;
    }

    /** Device memory used only while compiling (cuDNN algorithm search); freed by closing the arena. */
    CudaArena temporary(long bytes) { return (CudaArena) allocate(MemoryKind.SCRATCH, bytes); }

    void forget(CudaArena arena) { arenas.remove(arena); }

    /** The out-of-memory error: what was requested and what cudaMemGetInfo says is free. */
    BackendException outOfMemory(String what, long requested, int status) {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            int info = cudaMemGetInfo(free, total);
            String memory = info == 0 ? free.get() + " bytes free of " + total.get() : "free memory unknown ("
                    + Check.describe(Check.Library.RUNTIME, info) + ")";
            return new BackendException(Check.ENGINE, null, null, status, "out of device memory: cudaMalloc of "
                    + requested + " bytes for " + what + " failed with " + Check.describe(Check.Library.RUNTIME, status)
                    + "; " + memory + " on " + device.describe());
        }
    }

    /**
     * Copies through the two pinned staging buffers in turn: a buffer is refilled once the copy that last read it has
     * finished (its event), so filling one overlaps the copy of the other, and the call returns without waiting for
     * the last copy (stream order puts it before any later use of {@code dst}).
     */
    @Override public void upload(Buffer dst, FloatBuffer src) {
        ensureOpen();
        bind();
        long n = src.remaining();
        CudaBuffer d = CudaBuffer.of(dst, this, n * Float.BYTES, "upload destination");
        FloatBuffer from = src.duplicate();
        int k = 0;
        for (long done = 0; done < n; k++) {
            PinnedStaging buffer = staging[k % 2];
            awaitEvent(buffer.awaitLastUse(), "upload of " + n + " floats");
            int chunk = (int) Math.min(n - done, buffer.floats());
            FloatBuffer part = from.slice();
            part.limit(chunk);
            buffer.view().put(part);
            from.position(from.position() + chunk);
            Check.runtime(cudaMemcpyAsync(transferPointer.at(d.address() + done * Float.BYTES), buffer.pointer(),
                    (long) chunk * Float.BYTES, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync(host to device)");
            buffer.recordUse(stream);
            done += chunk;
        }
    }

    /** Copies through the two staging buffers in turn: chunk k + 1 is queued before chunk k is read on the host. */
    @Override public void download(Buffer src, FloatBuffer dst) {
        ensureOpen();
        bind();
        long n = dst.remaining();
        CudaBuffer s = CudaBuffer.of(src, this, n * Float.BYTES, "download source");
        FloatBuffer to = dst.duplicate();
        long chunkFloats = staging[0].floats();
        long chunks = (n + chunkFloats - 1) / chunkFloats;
        for (long k = 0; k < chunks; k++) {
            if (k == 0) queueDownload(s, n, 0);
            if (k + 1 < chunks) queueDownload(s, n, k + 1);
            PinnedStaging buffer = staging[(int) (k % 2)];
            awaitEvent(buffer.awaitLastUse(), "download of " + n + " floats");
            FloatBuffer part = buffer.view();
            part.limit((int) Math.min(chunkFloats, n - k * chunkFloats));
            to.put(part);
        }
    }

    /** Queues the device-to-host copy of chunk {@code k} of a download into staging buffer k mod 2. */
    private void queueDownload(CudaBuffer s, long n, long k) {
        PinnedStaging buffer = staging[(int) (k % 2)];
        awaitEvent(buffer.awaitLastUse(), "download of " + n + " floats");  // a previous upload may still read it
        long first = k * buffer.floats();
        long chunk = Math.min(buffer.floats(), n - first);
        Check.runtime(cudaMemcpyAsync(buffer.pointer(), transferPointer.at(s.address() + first * Float.BYTES),
                chunk * Float.BYTES, cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync(device to host)");
        buffer.recordUse(stream);
    }

    @Override public void zero(Buffer dst) {
        ensureOpen();
        bind();
        CudaBuffer d = CudaBuffer.of(dst, this, 0, "zero destination");
        Check.runtime(cudaMemsetAsync(transferPointer.at(d.address()), 0, d.bytes(), stream), "cudaMemsetAsync");
    }

    @Override public void synchronize() {
        ensureOpen();
        bind();
        awaitStream("synchronize");
    }

    /** Waits for the stream; an asynchronous failure names the last kernel launched before it surfaced. */
    private void awaitStream(String during) {
        asyncFailure(cudaStreamSynchronize(stream), "cudaStreamSynchronize", during);
    }

    /** Checks the status of a wait on a staging buffer's event, as {@link #awaitStream} does. */
    private void awaitEvent(int status, String during) { asyncFailure(status, "cudaEventSynchronize", during); }

    private void asyncFailure(int status, String call, String during) {
        if (status == 0) return;
        String last = lastLaunched == null ? "none" : lastLaunched.op().name() + " " + lastLaunched.op() + " on "
                + lastLaunched.inputs();
        throw new BackendException(Check.ENGINE, null, null, status, call + " during " + during
                + " reported an asynchronous failure: " + Check.describe(Check.Library.RUNTIME, status)
                + "; last op launched: " + last + " (a sticky error leaves the CUDA context unusable: close the engine)");
    }

    /** Called by every kernel run: binds the device to the calling thread and remembers the op for error reports. */
    void beforeLaunch(CudaKernel kernel) {
        ensureOpen();
        bind();
        lastLaunched = kernel;
    }

    /** First binding, in {@link #open}: makes the device current, initialises its primary context and records it. */
    private void attach() {
        Check.runtime(cudaSetDevice(options.deviceIndex()), "cudaSetDevice(" + options.deviceIndex() + ")");
        Check.runtime(cudaFree(null), "cudaFree(NULL) (primary context initialisation)");
        Check.driver(cuCtxGetCurrent(context), "cuCtxGetCurrent", null, null);
        if (context.isNull()) {
            throw new BackendException(Check.ENGINE, "device " + options.deviceIndex() + " has no current context after cudaSetDevice");
        }
    }

    /**
     * Makes this engine's device context current on the calling thread unless it already is. The current context is
     * per thread and shared by every engine and library on it (the runtime's current device, our driver-API launches,
     * cuDNN and cuBLAS all use it), so it is compared on every call rather than remembered per thread: another engine
     * on another GPU may have bound the same thread in between. One cuCtxGetCurrent when nothing changed; the runtime
     * API follows the driver's current context, so cudaMemcpyAsync and cudaMalloc go to this device too.
     */
    void bind() {
        Check.driver(cuCtxGetCurrent(current), "cuCtxGetCurrent", null, null);
        if (current.address() == context.address()) return;
        Check.driver(cuCtxSetCurrent(context), "cuCtxSetCurrent(primary context of device " + options.deviceIndex() + ")",
                null, null);
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("the cuda engine on " + device.describe() + " is closed");
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        RuntimeException firstFailure = null;
        try {
            // Everything below belongs to this engine's context; another engine may have bound this thread since.
            if (!context.isNull()) bind();
        } catch (RuntimeException e) {
            firstFailure = e;
        }
        // Queued work may still use the memory freed below.
        if (!stream.isNull()) cudaStreamSynchronize(stream);
        if (module != null) module.close();
        for (PinnedStaging p : staging) if (p != null) p.close();
        if (!cublas.isNull()) cublasDestroy_v2(cublas);
        if (!cudnn.isNull()) cudnnDestroy(cudnn);
        for (CudaArena a : new ArrayList<>(arenas)) {
            try {
                a.close();
            } catch (RuntimeException e) {
                if (firstFailure == null) firstFailure = e;
            }
        }
        if (!stream.isNull()) cudaStreamDestroy(stream);
        one.close();
        zero.close();
        if (firstFailure != null) throw firstFailure;
    }

    @Override public String toString() { return "cuda engine on " + device.describe(); }
}
