package dev.convkit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendProvider;
import dev.convkit.backend.MemoryKind;
import dev.convkit.graph.Input;
import dev.convkit.graph.Instr;
import dev.convkit.graph.Model;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.graph.Value;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Dense;
import dev.convkit.models.ModelRegistry;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.testing.TestBackends;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MemoryPlan} on real programs, checked against lifetimes computed here independently: a value is live from
 * the instruction that writes it to the last instruction that reads it, both inclusive, and no two values live at a
 * common instruction may share a byte. Then {@link CompiledModel#plan} on an engine, before anything runs.
 */
class MemoryPlanTest {
    private static final int ALIGNMENT = 64;

    /** What {@link CompiledStep} gives memory of its own (IO arena, gradient arena), so the plan must skip. */
    static Set<Value> pinnedLikeTheExecutor(Program p) {
        Set<Value> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value v : p.values()) {
            if (v.role() == Value.Role.INPUT || v.role() == Value.Role.LABELS || v.role() == Value.Role.HOST) pinned.add(v);
        }
        pinned.addAll(p.outputs());
        for (Value v : new Value[] {p.loss(), p.dataLoss(), p.probs()}) if (v != null) pinned.add(v);
        pinned.addAll(p.paramGrads().values());
        return pinned;
    }

    /** [first, last] instruction index of every value written by an instruction; null for bound values. */
    private static int[][] lifetimes(Program p) {
        int[][] life = new int[p.values().size()][];
        for (Instr i : p.instrs()) {
            for (Value v : i.outputs()) {
                assertNull(life[v.id()], "value " + v + " is written twice");
                life[v.id()] = new int[] {i.index(), i.index()};
            }
            for (Value v : i.inputs()) if (life[v.id()] != null) life[v.id()][1] = Math.max(life[v.id()][1], i.index());
        }
        return life;
    }

    @Test void resnet20TrainingPlanNeverOverlapsTwoLiveValues() {
        Program p = ProgramBuilder.training(ModelRegistry.create("resnet20v1"), 8, Labels.SPARSE);
        Set<Value> pinned = pinnedLikeTheExecutor(p);
        MemoryPlan plan = MemoryPlan.of(p, pinned, v -> v.spec().bytes(), ALIGNMENT);
        int[][] life = lifetimes(p);

        List<Value> placed = new ArrayList<>();
        for (Value v : p.values()) {
            Long off = plan.offset(v);
            boolean shouldPlace = v.role() == Value.Role.ACTIVATION && life[v.id()] != null && !pinned.contains(v);
            if (!shouldPlace) {
                assertNull(off, "value " + v + " (role " + v.role() + (pinned.contains(v) ? ", pinned" : "") + ") must not be planned");
                continue;
            }
            assertNotNull(off, "activation " + v + " has no offset");
            assertEquals(0, off % ALIGNMENT, "offset of " + v + " must be a multiple of " + ALIGNMENT);
            assertTrue(off >= 0 && off + v.spec().bytes() <= plan.bytes(), "value " + v + " at " + off + " overruns the arena of " + plan.bytes());
            placed.add(v);
        }
        int pairs = 0;
        List<String> clashes = new ArrayList<>();
        for (int a = 0; a < placed.size(); a++) {
            Value va = placed.get(a);
            long aStart = plan.offset(va), aEnd = aStart + va.spec().bytes();
            int[] la = life[va.id()];
            for (int b = a + 1; b < placed.size(); b++) {
                Value vb = placed.get(b);
                int[] lb = life[vb.id()];
                if (la[0] > lb[1] || lb[0] > la[1]) continue;       // never live at the same instruction
                pairs++;
                long bStart = plan.offset(vb), bEnd = bStart + vb.spec().bytes();
                if (aStart < bEnd && bStart < aEnd) {
                    clashes.add(va + " live " + la[0] + ".." + la[1] + " at [" + aStart + ", " + aEnd + ") and " + vb + " live "
                            + lb[0] + ".." + lb[1] + " at [" + bStart + ", " + bEnd + ")");
                }
            }
        }
        if (!clashes.isEmpty()) {
            fail(clashes.size() + " overlapping live pairs, first: " + String.join("\n", clashes.subList(0, Math.min(5, clashes.size()))));
        }

        // The plan can never be below the peak of simultaneously live bytes, and must beat no reuse at all.
        long peak = 0;
        for (Instr i : p.instrs()) {
            long live = 0;
            for (Value v : placed) {
                int[] l = life[v.id()];
                if (l[0] <= i.index() && i.index() <= l[1]) live += MemoryPlan.align(v.spec().bytes(), ALIGNMENT);
            }
            peak = Math.max(peak, live);
        }
        assertTrue(plan.bytes() >= peak, "plan " + plan.bytes() + " is below the live peak " + peak);
        assertTrue(plan.bytes() < plan.naiveBytes(), "reuse must save memory: plan " + plan.bytes() + ", naive " + plan.naiveBytes());
        System.out.printf(Locale.ROOT, "MemoryPlanTest: resnet20v1 training batch 8: %d planned values, %d live pairs checked, "
                        + "plan %.2f MiB, live peak %.2f MiB, naive %.2f MiB, plan/naive %.3f%n", placed.size(), pairs,
                plan.bytes() / 1048576.0, peak / 1048576.0, plan.naiveBytes() / 1048576.0, (double) plan.bytes() / plan.naiveBytes());
    }

    @Test void chainOfFourValuesFitsInTwoBuffers() {
        // x → d1 → a → relu → b → d2 → c → relu → d → d3 → logits (pinned). Lifetimes: a 0..1, b 1..2, c 2..3,
        // d 3..4: a and c never meet, nor b and d, so four [4, 16] values need exactly two buffers of 256 bytes.
        SymbolicTensor x = Input.of("x", 16);
        SymbolicTensor h = Activation.relu("relu1").apply(new Dense("d1", 16).apply(x));
        h = Activation.relu("relu2").apply(new Dense("d2", 16).apply(h));
        SymbolicTensor out = new Dense("d3", 16).apply(h);
        Program p = ProgramBuilder.inference(new Model("chain", x, out), 4, null);
        MemoryPlan plan = MemoryPlan.of(p, pinnedLikeTheExecutor(p), v -> v.spec().bytes(), ALIGNMENT);
        assertEquals(4L * 4 * 16 * 4, plan.naiveBytes(), p.listing());
        assertEquals(2L * 4 * 16 * 4, plan.bytes(), p.listing());
        Value a = p.instrs().get(0).outputs().get(0), c = p.instrs().get(2).outputs().get(0);
        assertEquals(plan.offset(a), plan.offset(c), "the first and third values share memory");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.convkit.testing.TestBackends#providers")
    void compiledModelReportsBytesPerArenaBeforeRunning(BackendProvider provider) {
        Model m = ModelRegistry.create("resnet20v1");
        try (Backend backend = TestBackends.open(provider);
             CompiledModel cm = new CompiledModel(m, backend, new SgdUpdate(0.9f, false))) {
            Map<MemoryKind, Long> bytes = cm.plan(32, true, Labels.SPARSE);
            Program p = ProgramBuilder.training(m, 32, Labels.SPARSE);
            MemoryPlan expected = MemoryPlan.of(p, pinnedLikeTheExecutor(p), v -> backend.sizeOf(v.spec()), backend.alignment());

            assertEquals(expected.bytes(), bytes.get(MemoryKind.ACTIVATIONS), "activation arena = the memory plan");
            assertTrue(bytes.get(MemoryKind.PARAMS) >= 274_442L * 4, "PARAMS holds all 274,442 values: " + bytes);
            assertTrue(bytes.get(MemoryKind.GRADS) >= 273_066L * 4 && bytes.get(MemoryKind.GRADS) < bytes.get(MemoryKind.PARAMS),
                    "GRADS holds the 273,066 trainable values only: " + bytes);
            assertEquals(bytes.get(MemoryKind.GRADS), bytes.get(MemoryKind.OPTIMIZER_STATE), "SGD with momentum keeps one velocity slot");
            long input = 32L * 3 * 32 * 32 * 4, labels = 32L * 4, probs = 32L * 10 * 4;
            assertTrue(bytes.get(MemoryKind.IO) >= input + labels + probs, "IO holds the batch, labels and probs: " + bytes);
            assertTrue(bytes.get(MemoryKind.SAVED) >= 0 && bytes.get(MemoryKind.SCRATCH) >= 0, bytes.toString());
            long total = bytes.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<MemoryKind, Long> e : bytes.entrySet()) {
                sb.append(String.format(Locale.ROOT, " %s=%.2f MiB", e.getKey().name().toLowerCase(Locale.ROOT), e.getValue() / 1048576.0));
            }
            System.out.printf(Locale.ROOT, "MemoryPlanTest[%s]: resnet20v1 training batch 32:%s, total %.2f MiB "
                            + "(activations without reuse %.2f MiB)%n",
                    provider.name(), sb, total / 1048576.0, expected.naiveBytes() / 1048576.0);
        }
    }
}
