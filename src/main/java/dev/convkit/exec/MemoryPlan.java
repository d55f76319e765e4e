package dev.convkit.exec;

import dev.convkit.graph.Instr;
import dev.convkit.graph.Program;
import dev.convkit.graph.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Offsets of the activation values of a program in one arena, reusing memory between values whose lifetimes do
 * not overlap. A value lives from the instruction that writes it to the last instruction that reads it, both
 * inclusive, so an op's output never shares bytes with its own inputs. Values in {@code pinned} are given their own
 * memory elsewhere and are skipped here. Greedy placement, largest first, at the lowest offset that fits.
 * A pure function of the program: testable without any engine.
 */
public final class MemoryPlan {
    private final Map<Integer, Long> offsets;   // value id → byte offset
    private final long bytes;
    private final long naiveBytes;

    private MemoryPlan(Map<Integer, Long> offsets, long bytes, long naiveBytes) {
        this.offsets = offsets;
        this.bytes = bytes;
        this.naiveBytes = naiveBytes;
    }

    /** Size of one value in bytes, as the engine stores it. */
    public interface Sizer { long bytes(Value v); }

    public static MemoryPlan of(Program p, Set<Value> pinned, Sizer sizer, int alignment) {
        return of(p, pinned, Set.of(), sizer, alignment);
    }

    /**
     * As {@link #of(Program, Set, Sizer, int)}, with the values in {@code liveToEnd} kept alive past the last
     * instruction (the executor copies them out after the step).
     */
    public static MemoryPlan of(Program p, Set<Value> pinned, Set<Value> liveToEnd, Sizer sizer, int alignment) {
        int n = p.values().size();
        int[] def = new int[n], last = new int[n];
        java.util.Arrays.fill(def, -1);
        for (Instr i : p.instrs()) {
            for (Value v : i.outputs()) { def[v.id()] = i.index(); last[v.id()] = i.index(); }
            for (Value v : i.inputs()) last[v.id()] = Math.max(last[v.id()], i.index());
        }
        for (Value v : liveToEnd) last[v.id()] = p.instrs().size();
        List<Value> todo = new ArrayList<>();
        long naive = 0;
        for (Value v : p.values()) {
            if (v.role() == Value.Role.ACTIVATION && def[v.id()] >= 0 && !pinned.contains(v)) {
                todo.add(v);
                naive += align(sizer.bytes(v), alignment);
            }
        }
        todo.sort(Comparator.comparingLong((Value v) -> sizer.bytes(v)).reversed().thenComparingInt(Value::id));
        record Placed(long start, long end, int from, int to) {}
        List<Placed> placed = new ArrayList<>();
        Map<Integer, Long> offsets = new HashMap<>();
        long top = 0;
        for (Value v : todo) {
            long size = align(sizer.bytes(v), alignment);
            int from = def[v.id()], to = last[v.id()];
            List<Placed> clash = new ArrayList<>();
            for (Placed q : placed) if (q.from <= to && from <= q.to) clash.add(q);
            clash.sort(Comparator.comparingLong(Placed::start));
            long at = 0;
            for (Placed q : clash) {
                if (at + size <= q.start) break;
                at = Math.max(at, q.end);
            }
            placed.add(new Placed(at, at + size, from, to));
            offsets.put(v.id(), at);
            top = Math.max(top, at + size);
        }
        return new MemoryPlan(offsets, top, naive);
    }

    static long align(long bytes, int alignment) { return (bytes + alignment - 1) / alignment * alignment; }

    /** Offset of an activation value, or null when the value is not placed by this plan. */
    public Long offset(Value v) { return offsets.get(v.id()); }

    /** Arena size with reuse. */
    public long bytes() { return bytes; }

    /** What the same values would take without reuse. */
    public long naiveBytes() { return naiveBytes; }
}
