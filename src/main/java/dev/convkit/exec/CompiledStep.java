package dev.convkit.exec;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.graph.Instr;
import dev.convkit.graph.Program;
import dev.convkit.graph.Value;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Program} bound to an engine: every op compiled once, every value given a buffer, arenas allocated once.
 * Running it is a flat loop of {@code kernel.run} calls with precomputed buffer arrays: nothing is allocated in a step.
 * Parameters and their gradients live in the {@link CompiledModel}'s arenas; this step owns its activations, saved,
 * scratch and I/O arenas. Built in two phases so the plan can be reported before memory is taken.
 */
final class CompiledStep implements AutoCloseable {
    final Program program;
    private final Backend backend;
    private final List<Kernel> kernels = new ArrayList<>();
    private final Map<Instr, Kernel> byInstr = new IdentityHashMap<>();
    private final Map<Value, TensorSpec> physical = new IdentityHashMap<>();   // layout each op output is written in
    private final Set<Value> io = Collections.newSetFromMap(new IdentityHashMap<>());
    private final MemoryPlan plan;
    private final long scratchBytes;
    private final long savedBytes;
    private final long ioBytes;
    private final List<Arena> arenas = new ArrayList<>();
    private final Map<Value, Buffer> buffers = new IdentityHashMap<>();
    private Buffer[][] src, dst;
    private Buffer[] saved;
    private Buffer scratch;
    /**
     * Host-read values (outputs, loss, probabilities) whose producer writes them in an engine layout: they live in
     * the activation arena in that layout, and a reorder kernel copies each into its canonical I/O buffer after the
     * step. {@code hostView} maps them to that canonical copy.
     */
    private final Map<Value, Kernel> outReorders = new IdentityHashMap<>();
    private final Map<Value, Buffer> hostView = new IdentityHashMap<>();
    private Kernel[] tailKernels;
    private Buffer[][] tailSrc, tailDst;

    /** Phase 1: compile kernels and plan memory; allocates nothing. */
    CompiledStep(Program program, Backend backend) {
        this.program = program;
        this.backend = backend;
        boolean ok = false;
        try {
            long scratchMax = 0, savedTotal = 0;
            for (Instr i : program.instrs()) {
                // Each consumer is compiled for the layout its producer actually writes; bound values are canonical.
                List<TensorSpec> specs = i.inputs().stream().map(v -> physical.getOrDefault(v, v.spec())).toList();
                Kernel k = backend.compile(i.op(), specs, i.forward() == null ? null : byInstr.get(i.forward()));
                kernels.add(k);
                byInstr.put(i, k);
                for (int j = 0; j < i.outputs().size(); j++) {
                    TensorSpec out = k.outputs().get(j);
                    if (!out.shape().equals(i.outputs().get(j).spec().shape())) throw new IllegalStateException(
                            backend.name() + " kernel for " + i + " writes output " + j + " as " + out + ", not " + i.outputs().get(j).spec());
                    physical.put(i.outputs().get(j), out);
                }
                scratchMax = Math.max(scratchMax, k.scratchBytes());
                savedTotal += MemoryPlan.align(k.savedBytes(), backend.alignment());
            }
            savedBytes = savedTotal;
            for (Value v : program.values()) {
                switch (v.role()) {
                    case INPUT, LABELS, HOST -> io.add(v);
                    default -> { }
                }
            }
            io.addAll(program.outputs());
            for (Value v : new Value[] {program.loss(), program.dataLoss(), program.probs()}) if (v != null) io.add(v);
            Set<Value> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
            pinned.addAll(io);
            for (Value v : io) {
                TensorSpec written = spec(v);
                if (written.layout() == Layout.CANONICAL) continue;
                Kernel r = backend.reorder(written, v.spec());
                kernels.add(r);   // owned (closed) with the op kernels; run by run() after them
                outReorders.put(v, r);
                scratchMax = Math.max(scratchMax, r.scratchBytes());
                pinned.remove(v);   // its engine-layout copy is an activation, alive to the end of the step
            }
            scratchBytes = scratchMax;
            pinned.addAll(program.paramGrads().values());
            for (Value v : program.paramGrads().values()) requireCanonical(v);
            plan = MemoryPlan.of(program, pinned, outReorders.keySet(), v -> backend.sizeOf(spec(v)), backend.alignment());
            long ioTotal = 0;
            for (Value v : io) ioTotal += MemoryPlan.align(backend.sizeOf(v.spec()), backend.alignment());
            ioBytes = ioTotal;
            ok = true;
        } finally {
            if (!ok) close();
        }
    }

    /**
     * Parameter gradients must be written in canonical layout: the optimizer updates the flat parameter arena in
     * place. (Host-read values in an engine layout are copied out instead, see {@link #outReorders}.)
     */
    private void requireCanonical(Value v) {
        TensorSpec s = physical.getOrDefault(v, v.spec());
        if (s.layout() != Layout.CANONICAL) throw new IllegalStateException(backend.name() + " writes " + v
                + " in layout " + s + "; parameter gradients must be canonical");
    }

    /** The spec a value is stored with: its producer kernel's output spec, or canonical for bound values. */
    private TensorSpec spec(Value v) { return physical.getOrDefault(v, v.spec()); }

    /** Planned bytes per arena kind owned by this step. */
    Map<MemoryKind, Long> plannedBytes() {
        Map<MemoryKind, Long> m = new EnumMap<>(MemoryKind.class);
        m.put(MemoryKind.ACTIVATIONS, plan.bytes());
        m.put(MemoryKind.SAVED, savedBytes);
        m.put(MemoryKind.SCRATCH, scratchBytes);
        m.put(MemoryKind.IO, ioBytes);
        return m;
    }

    long activationBytesWithoutReuse() { return plan.naiveBytes(); }

    /** Phase 2: allocate arenas and bind every value; {@code bound} supplies params, state and parameter gradients. */
    void allocate(Map<Value, Buffer> bound) {
        Arena act = alloc(MemoryKind.ACTIVATIONS, plan.bytes());
        Arena ioArena = alloc(MemoryKind.IO, ioBytes);
        Arena savedArena = alloc(MemoryKind.SAVED, savedBytes);
        Arena scratchArena = alloc(MemoryKind.SCRATCH, scratchBytes);
        buffers.putAll(bound);
        long at = 0;
        for (Value v : new LinkedHashSet<>(io)) {
            if (buffers.containsKey(v)) continue;   // bound by the model (e.g. the training step counter)
            long size = backend.sizeOf(v.spec());
            (outReorders.containsKey(v) ? hostView : buffers).put(v, ioArena.slice(at, size));
            at += MemoryPlan.align(size, backend.alignment());
        }
        for (Value v : program.values()) {
            Long off = plan.offset(v);
            if (off != null && !buffers.containsKey(v)) buffers.put(v, act.slice(off, backend.sizeOf(spec(v))));
        }
        int n = program.instrs().size();
        src = new Buffer[n][];
        dst = new Buffer[n][];
        saved = new Buffer[n];
        long savedAt = 0;
        List<Instr> instrs = program.instrs();
        for (int k = 0; k < n; k++) {
            Instr i = instrs.get(k);
            src[k] = i.inputs().stream().map(this::kernelBuffer).toArray(Buffer[]::new);
            dst[k] = i.outputs().stream().map(this::kernelBuffer).toArray(Buffer[]::new);
            long s = kernels.get(k).savedBytes();
            if (s > 0) {
                saved[k] = savedArena.slice(savedAt, s);
                savedAt += MemoryPlan.align(s, backend.alignment());
            }
        }
        for (int k = 0; k < n; k++) {
            Instr f = instrs.get(k).forward();
            if (f != null && saved[f.index()] != null) saved[k] = saved[f.index()];
        }
        scratch = scratchBytes > 0 ? scratchArena.slice(0, scratchBytes) : null;
        int t = outReorders.size(), j = 0;
        tailKernels = new Kernel[t];
        tailSrc = new Buffer[t][];
        tailDst = new Buffer[t][];
        for (Map.Entry<Value, Kernel> e : outReorders.entrySet()) {
            tailKernels[j] = e.getValue();
            tailSrc[j] = new Buffer[] {buffers.get(e.getKey())};
            tailDst[j++] = new Buffer[] {hostView.get(e.getKey())};
        }
    }

    private Arena alloc(MemoryKind kind, long bytes) {
        Arena a = backend.allocate(kind, Math.max(bytes, backend.alignment()));
        arenas.add(a);
        return a;
    }

    /** The buffer kernels read and write for {@code v}, in the layout its producer writes. */
    private Buffer kernelBuffer(Value v) {
        Buffer b = buffers.get(v);
        if (b == null) throw new IllegalStateException("value " + v + " has no buffer (role " + v.role() + ")");
        return b;
    }

    /** The buffer the host reads or writes for {@code v}: canonical layout always. */
    Buffer buffer(Value v) {
        Buffer b = hostView.containsKey(v) ? hostView.get(v) : buffers.get(v);
        if (b == null) throw new IllegalStateException("value " + v + " has no buffer (role " + v.role() + ")");
        return b;
    }

    /** Runs every op in order, then copies engine-layout host-read values to their canonical buffers. */
    void run() {
        for (int k = 0; k < src.length; k++) kernels.get(k).run(src[k], dst[k], scratch, saved[k]);
        for (int k = 0; k < tailKernels.length; k++) tailKernels[k].run(tailSrc[k], tailDst[k], scratch, null);
    }

    /**
     * As {@link #run()}, one op at a time with a synchronize after each, stopping at the first op that writes a NaN
     * or an infinity (that op's outputs stay as it wrote them); null when every output is finite. Each value is
     * scanned once: an op's inputs before it runs (unless already seen finite), its outputs after. Inputs the op
     * updates in place are scanned again before their next reader. Much slower than {@code run()}: a diagnosis.
     */
    NonFinite runChecked() {
        Set<Value> finite = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Instr> instrs = program.instrs();
        for (int k = 0; k < src.length; k++) {
            Instr i = instrs.get(k);
            backend.synchronize();
            List<String> bad = new ArrayList<>();
            for (Value v : i.inputs()) {
                if (finite.contains(v)) continue;
                if (scan(v).finite()) finite.add(v);
                else if (!bad.contains(v.name())) bad.add(v.name());
            }
            kernels.get(k).run(src[k], dst[k], scratch, saved[k]);
            backend.synchronize();
            for (Value v : i.outputs()) {
                NonFiniteCount c = scan(v);
                if (!c.finite()) return new NonFinite(i.index(), i.op().name(), v.name(), i.origin(), spec(v).dtype(),
                        c.nan(), c.positiveInf(), c.negativeInf(), v.spec().size(), bad);
                finite.add(v);
            }
            for (int j : i.op().inPlaceInputs()) finite.remove(i.inputs().get(j));
        }
        for (int k = 0; k < tailKernels.length; k++) tailKernels[k].run(tailSrc[k], tailDst[k], scratch, null);
        return null;
    }

    /** Counts the non-finite elements of {@code v} in the buffer and element type its producer writes. */
    private NonFiniteCount scan(Value v) { return NonFiniteCount.of(backend, kernelBuffer(v), spec(v).dtype()); }

    /** Kernels of the program's ops, plus one reorder per engine-layout host-read value. */
    int kernelCount() { return kernels.size(); }

    @Override public void close() {
        for (int i = arenas.size() - 1; i >= 0; i--) arenas.get(i).close();
        arenas.clear();
        for (int i = kernels.size() - 1; i >= 0; i--) kernels.get(i).close();
        kernels.clear();
    }
}
