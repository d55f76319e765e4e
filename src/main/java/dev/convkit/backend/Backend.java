package dev.convkit.backend;

import dev.convkit.ops.Composite;
import dev.convkit.ops.Op;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Set;

/**
 * An opened engine: compiles ops into kernels, owns arenas and one stream. Used from one thread at a time; two
 * instances share no handles or streams. Nothing here names a native type: engines live behind this interface.
 */
public interface Backend extends AutoCloseable {
    /** The provider's name: "cpu", "cuda". */
    String name();

    /** Human description of the device, e.g. "oneDNN 3.11 on 2 threads (avx2)" or "NVIDIA H100, cc 9.0". */
    String device();

    /** Required alignment, in bytes, of buffer offsets within an arena. */
    int alignment();

    /**
     * The layout this engine's kernels write an activation of this (canonical) spec in: {@link Layout#ENGINE} where
     * the engine keeps activations in a format of its own from kernel to kernel (the cpu engine's blocked format for
     * 4-D tensors), otherwise {@link Layout#CANONICAL}. A capability query: it compiles and allocates nothing.
     */
    default Layout preferredLayout(TensorSpec spec) { return Layout.CANONICAL; }

    /** Bytes a tensor of this spec occupies in this engine (≥ spec.bytes() for engine layouts). */
    default long sizeOf(TensorSpec spec) { return spec.bytes(); }

    /**
     * Compiles {@code op} for these input specs. {@code forward} is null for forward ops; for a backward op it is
     * the kernel of the forward op it differentiates (oneDNN hint, saved memory), or null if there is none.
     *
     * @throws dev.convkit.ops.InvalidOpException for inputs the op's shape rule rejects
     * @throws BackendException when the engine cannot run this op with these specs, with the library's message
     */
    Kernel compile(Op op, List<TensorSpec> inputs, Kernel forward);

    /**
     * True when this engine runs {@code fused}, an op that stands for a sequence of basic ones (today
     * {@link dev.convkit.ops.BatchNormReluTrain}), faster than the sequence. The program builder emits fused ops
     * only for engines that say so; by default an engine receives basic ops only.
     */
    default boolean fuses(Op fused) { return false; }

    /**
     * Why this engine cannot compute in element type {@code t} (activations of a mixed-precision program), or null
     * when it can. Every engine runs f32; by default nothing else.
     */
    default String unsupportedType(DType t) {
        return t == DType.F32 ? null : "the " + name() + " engine runs f32 only, not " + t.lower();
    }

    /**
     * The composite op records ({@link dev.convkit.ops.Composite}) this engine has dedicated kernels for; conformance
     * checks each against its decomposition. {@link #fuses} claims a subset of them (all, unless an option turns
     * some off).
     */
    default Set<Class<? extends Composite>> compositeKernels() { return Set.of(); }

    /** A kernel converting between two layouts of the same logical tensor (one input, one output). */
    Kernel reorder(TensorSpec from, TensorSpec to);

    /**
     * Bytes this engine can still allocate for new arenas (host memory for the cpu engine, free device memory for a
     * GPU), or -1 when unknown. The executor checks a step's plan against it before allocating anything.
     */
    default long availableMemory() { return -1; }

    /** Allocates an arena. Out of memory is a {@link BackendException} with the requested and free bytes. */
    Arena allocate(MemoryKind kind, long bytes);

    /** Copies canonical-layout host floats into a buffer (remaining() floats from the buffer's position). */
    void upload(Buffer dst, FloatBuffer src);

    /** Copies a canonical-layout buffer into host floats (remaining() floats at the buffer's position). */
    void download(Buffer src, FloatBuffer dst);

    /** Sets every byte of the buffer to zero. */
    void zero(Buffer dst);

    /** Waits for all queued work; surfaces asynchronous failures naming the op that launched them. */
    void synchronize();

    @Override void close();
}
