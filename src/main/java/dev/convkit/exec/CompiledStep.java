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
            scratchBytes = scratchMax;
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
            pinned.addAll(program.paramGrads().values());
            for (Value v : pinned) requireCanonical(v);
            plan = MemoryPlan.of(program, pinned, v -> backend.sizeOf(spec(v)), backend.alignment());
            long ioTotal = 0;
            for (Value v : io) ioTotal += MemoryPlan.align(backend.sizeOf(v.spec()), backend.alignment());
            ioBytes = ioTotal;
            ok = true;
        } finally {
            if (!ok) close();
        }
    }

    /**
     * Values the host reads or the optimizer updates (outputs, loss, probabilities, parameter gradients) must be
     * written in canonical layout; an engine keeps its own layouts for activations between ops only.
     */
    private void requireCanonical(Value v) {
        TensorSpec s = physical.getOrDefault(v, v.spec());
        if (s.layout() != Layout.CANONICAL) throw new IllegalStateException(backend.name() + " writes " + v
                + " in layout " + s + "; program outputs and parameter gradients must be canonical");
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
            buffers.put(v, ioArena.slice(at, size));
            at += MemoryPlan.align(size, backend.alignment());
        }
        for (Value v : program.values()) {
            Long off = plan.offset(v);
            if (off != null && !buffers.containsKey(v)) buffers.put(v, act.slice(off, backend.sizeOf(spec(v))));
        }
        int n = kernels.size();
        src = new Buffer[n][];
        dst = new Buffer[n][];
        saved = new Buffer[n];
        long savedAt = 0;
        List<Instr> instrs = program.instrs();
        for (int k = 0; k < n; k++) {
            Instr i = instrs.get(k);
            src[k] = i.inputs().stream().map(this::buffer).toArray(Buffer[]::new);
            dst[k] = i.outputs().stream().map(this::buffer).toArray(Buffer[]::new);
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
    }

    private Arena alloc(MemoryKind kind, long bytes) {
        Arena a = backend.allocate(kind, Math.max(bytes, backend.alignment()));
        arenas.add(a);
        return a;
    }

    Buffer buffer(Value v) {
        Buffer b = buffers.get(v);
        if (b == null) throw new IllegalStateException("value " + v + " has no buffer (role " + v.role() + ")");
        return b;
    }

    /** Runs every op in order. */
    void run() {
        for (int k = 0; k < src.length; k++) kernels.get(k).run(src[k], dst[k], scratch, saved[k]);
    }

    int kernelCount() { return kernels.size(); }

    @Override public void close() {
        for (int i = arenas.size() - 1; i >= 0; i--) arenas.get(i).close();
        arenas.clear();
        for (int i = kernels.size() - 1; i >= 0; i--) kernels.get(i).close();
        kernels.clear();
    }
}
