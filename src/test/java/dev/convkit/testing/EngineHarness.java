package dev.convkit.testing;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.Op;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs single ops on an opened {@link Backend} from host double arrays, the way the executor will: compile once
 * for the specs, allocate an IO arena whose slices respect {@link Backend#alignment()}, upload f32 values, run with
 * a scratch buffer of {@link Kernel#scratchBytes()}, synchronise, download the outputs and the in-place inputs.
 * Inputs or outputs a kernel keeps in an engine layout go through {@link Backend#reorder} kernels from and to the
 * canonical layout. Every native resource is closed before a method returns, except what a {@link ForwardRun}
 * keeps for its backward ops until it is closed.
 *
 * <p>With {@code engineInputs}, every 4-D input is handed to the kernel in {@link Layout#ENGINE}, as the executor
 * does when the producing kernel writes that layout: the kernel is compiled for the engine-layout spec and the
 * canonical test values go in through a reorder kernel.
 */
public final class EngineHarness {
    /**
     * {@code specs} with every 4-D tensor in the engine layout except input {@code keepCanonical} (the weights, which
     * programs hand over canonical; -1 for none): how the cpu engine's kernels see activations inside a program.
     */
    public static List<TensorSpec> inEngineLayout(List<TensorSpec> specs, int keepCanonical) {
        List<TensorSpec> out = new ArrayList<>(specs);
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec s = specs.get(i);
            if (i != keepCanonical && s.rank() == 4) out.set(i, new TensorSpec(s.shape(), s.dtype(), Layout.ENGINE));
        }
        return out;
    }

    private final Backend backend;
    private final boolean engineInputs;

    public EngineHarness(Backend backend) { this(backend, false); }

    public EngineHarness(Backend backend, boolean engineInputs) {
        this.backend = backend;
        this.engineInputs = engineInputs;
    }

    /** The specs kernels are compiled for: {@code specs}, with 4-D ones in the engine layout when asked. */
    private List<TensorSpec> physical(List<TensorSpec> specs) {
        if (!engineInputs) return specs;
        return specs.stream().map(s -> s.rank() == 4 ? new TensorSpec(s.shape(), s.dtype(), Layout.ENGINE) : s).toList();
    }

    public Backend backend() { return backend; }

    /** What one kernel run produced: its outputs, and each in-place input after the run (null for the others). */
    public record Result(double[][] outputs, double[][] inputsAfter) {}

    /** Compiles {@code op} with no forward hint and runs it once. */
    public Result run(Op op, List<TensorSpec> specs, double[][] inputs) {
        try (Kernel k = backend.compile(op, physical(specs), null)) {
            return execute(k, op, specs, inputs, null);
        }
    }

    /**
     * Runs kernel {@code k} of {@code op}, compiled by the caller for inputs in whatever layouts it chose, once on
     * {@code inputs} given for the canonical {@code specs}. The caller keeps and closes {@code k}.
     */
    public Result run(Kernel k, Op op, List<TensorSpec> specs, double[][] inputs) {
        return execute(k, op, specs, inputs, null);
    }

    /**
     * Compiles and runs a forward op and keeps its kernel and saved memory (of {@link Kernel#savedBytes()}) so
     * that backward ops can be compiled with it as hint and read what it saved. The caller closes the result.
     */
    public ForwardRun forward(Op op, List<TensorSpec> specs, double[][] inputs) {
        Kernel k = backend.compile(op, physical(specs), null);
        Arena savedArena = null;
        try {
            Buffer saved = null;
            if (k.savedBytes() > 0) {
                savedArena = backend.allocate(MemoryKind.SAVED, k.savedBytes());
                saved = savedArena.slice(0, k.savedBytes());
            }
            Result r = execute(k, op, specs, inputs, saved);
            return new ForwardRun(k, savedArena, saved, r);
        } catch (RuntimeException | Error e) {
            if (savedArena != null) savedArena.close();
            k.close();
            throw e;
        }
    }

    /** A forward kernel that ran, with its saved memory still filled. */
    public final class ForwardRun implements AutoCloseable {
        private final Kernel kernel;
        private final Arena savedArena;
        private final Buffer saved;
        private final Result result;

        private ForwardRun(Kernel kernel, Arena savedArena, Buffer saved, Result result) {
            this.kernel = kernel;
            this.savedArena = savedArena;
            this.saved = saved;
            this.result = result;
        }

        public Kernel kernel() { return kernel; }

        public Result result() { return result; }

        /** Compiles {@code op} with this forward kernel as hint and runs it with the forward kernel's saved buffer. */
        public Result backward(Op op, List<TensorSpec> specs, double[][] inputs) {
            try (Kernel k = backend.compile(op, physical(specs), kernel)) {
                return execute(k, op, specs, inputs, saved);
            }
        }

        @Override public void close() {
            try {
                if (savedArena != null) savedArena.close();
            } finally {
                kernel.close();
            }
        }
    }

    private Result execute(Kernel k, Op op, List<TensorSpec> specs, double[][] inputs, Buffer saved) {
        List<TensorSpec> declared = op.outputs(specs);
        checkKernel(k, op, specs, declared, inputs);
        List<Kernel> reorders = new ArrayList<>();
        try {
            Slots in = new Slots(k.inputs(), true, reorders);
            Slots out = new Slots(k.outputs(), false, reorders);
            long scratchBytes = k.scratchBytes();
            for (Kernel r : reorders) scratchBytes = Math.max(scratchBytes, r.scratchBytes());
            long ioBytes = out.place(in.place(0));
            try (Arena io = backend.allocate(MemoryKind.IO, Math.max(ioBytes, backend.alignment()));
                 Arena scratchArena = scratchBytes > 0 ? backend.allocate(MemoryKind.SCRATCH, scratchBytes) : null) {
                Buffer scratch = scratchArena == null ? null : scratchArena.slice(0, scratchBytes);
                in.slice(io);
                out.slice(io);
                for (int i = 0; i < inputs.length; i++) in.upload(i, inputs[i], scratch);
                k.run(in.engine, out.engine, scratch, saved);
                double[][] outputs = new double[declared.size()][];
                for (int j = 0; j < outputs.length; j++) outputs[j] = out.download(j, scratch);
                double[][] after = new double[inputs.length][];
                for (int i : op.inPlaceInputs()) after[i] = in.download(i, scratch);
                return new Result(outputs, after);
            }
        } finally {
            for (Kernel r : reorders) r.close();
        }
    }

    private static void checkKernel(Kernel k, Op op, List<TensorSpec> specs, List<TensorSpec> declared, double[][] inputs) {
        if (inputs.length != specs.size() || k.inputs().size() != specs.size() || k.outputs().size() != declared.size()) {
            throw new IllegalStateException(op.name() + ": " + inputs.length + " input arrays, " + specs.size()
                    + " specs, kernel reads " + k.inputs() + " and writes " + k.outputs() + ", op declares " + declared);
        }
        for (int j = 0; j < declared.size(); j++) {
            if (!k.outputs().get(j).shape().equals(declared.get(j).shape())) {
                throw new IllegalStateException(op.name() + ": kernel output " + j + " is " + k.outputs().get(j)
                        + ", the op declares " + declared.get(j));
            }
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].length != specs.get(i).size()) {
                throw new IllegalArgumentException(op.name() + ": input " + i + " has " + inputs[i].length
                        + " values for spec " + specs.get(i));
            }
        }
    }

    private long align(long offset) {
        long a = backend.alignment();
        return (offset + a - 1) / a * a;
    }

    /**
     * The buffers of one side (inputs or outputs) of a kernel: one per tensor in the kernel's physical layout, plus a
     * canonical staging buffer and a reorder kernel for each tensor kept in an engine layout.
     */
    private final class Slots {
        final List<TensorSpec> physical;
        final boolean isInput;
        final Buffer[] engine;
        final Buffer[] staging;
        final Kernel[] toEngine;
        final Kernel[] toCanonical;
        final long[] engineOffset;
        final long[] stagingOffset;

        Slots(List<TensorSpec> physical, boolean isInput, List<Kernel> reorders) {
            this.physical = physical;
            this.isInput = isInput;
            int n = physical.size();
            engine = new Buffer[n];
            staging = new Buffer[n];
            toEngine = new Kernel[n];
            toCanonical = new Kernel[n];
            engineOffset = new long[n];
            stagingOffset = new long[n];
            for (int i = 0; i < n; i++) {
                TensorSpec p = physical.get(i);
                if (p.layout() == Layout.CANONICAL && p.dtype() == DType.F32) continue;
                TensorSpec c = canonical(p);   // f32 canonical staging: the reorder converts layout and type
                // Inputs are written through a reorder; in-place inputs and outputs are read back through one.
                toEngine[i] = isInput ? add(reorders, backend.reorder(c, p)) : null;
                toCanonical[i] = add(reorders, backend.reorder(p, c));
            }
        }

        /** Assigns aligned offsets from {@code start}; returns the end. */
        long place(long start) {
            long at = start;
            for (int i = 0; i < physical.size(); i++) {
                at = align(at);
                engineOffset[i] = at;
                at += backend.sizeOf(physical.get(i));
                if (toCanonical[i] != null) {
                    at = align(at);
                    stagingOffset[i] = at;
                    at += canonical(physical.get(i)).bytes();
                }
            }
            return at;
        }

        void slice(Arena io) {
            for (int i = 0; i < physical.size(); i++) {
                engine[i] = io.slice(engineOffset[i], backend.sizeOf(physical.get(i)));
                if (toCanonical[i] != null) staging[i] = io.slice(stagingOffset[i], canonical(physical.get(i)).bytes());
            }
        }

        void upload(int i, double[] values, Buffer scratch) {
            FloatBuffer host = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (double v : values) host.put((float) v);
            host.flip();
            if (toEngine[i] == null) {
                backend.upload(engine[i], host);
            } else {
                backend.upload(staging[i], host);
                toEngine[i].run(new Buffer[] {staging[i]}, new Buffer[] {engine[i]}, scratch, null);
            }
        }

        double[] download(int i, Buffer scratch) {
            Buffer from = engine[i];
            if (toCanonical[i] != null) {
                toCanonical[i].run(new Buffer[] {engine[i]}, new Buffer[] {staging[i]}, scratch, null);
                from = staging[i];
            }
            backend.synchronize();
            int n = (int) physical.get(i).size();
            FloatBuffer host = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            backend.download(from, host);
            backend.synchronize();
            double[] values = new double[n];
            for (int k = 0; k < n; k++) values[k] = host.get(k);
            return values;
        }
    }

    /** The host's view of a tensor: f32 in canonical layout (bf16 tensors are converted by the staging reorder). */
    private static TensorSpec canonical(TensorSpec p) { return new TensorSpec(p.shape(), DType.F32, Layout.CANONICAL); }

    private static Kernel add(List<Kernel> owned, Kernel k) {
        owned.add(k);
        return k;
    }
}
