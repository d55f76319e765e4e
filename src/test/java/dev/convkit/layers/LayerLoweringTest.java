package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.Input;
import dev.convkit.graph.Instr;
import dev.convkit.graph.Model;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.graph.Value;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.Op;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the layers emit when a model is lowered (through the real {@link ProgramBuilder}). */
class LayerLoweringTest {

    private static Model small() {
        SymbolicTensor x = Input.of("image", 3, 8, 8);
        SymbolicTensor y = new Conv2D("conv", 4, 3).strides(2).padding(Padding.SAME).apply(x);
        y = new BatchNormalization("bn").momentum(0.9f).epsilon(1e-5f).apply(y);
        y = Activation.relu("relu").apply(y);
        y = new Dropout("drop", 0.25f).apply(y);
        y = new MaxPooling2D("pool", 2).apply(y);
        y = new Flatten("flatten").apply(y);
        return new Model("small", x, new Dense("dense", 10).apply(y));
    }

    private static List<String> opsOf(Program p, String layer) {
        return p.instrs().stream().filter(i -> layer.equals(i.origin())).map(i -> i.op().name()).toList();
    }

    private static Instr first(Program p, String layer) {
        return p.instrs().stream().filter(i -> layer.equals(i.origin())).findFirst().orElseThrow();
    }

    @Test void inferenceUsesMovingStatisticsAndDropsDropout() {
        Program p = ProgramBuilder.inference(small(), 2, null);
        assertEquals(List.of("conv2d"), opsOf(p, "conv"));
        assertEquals(List.of("batch_norm_infer"), opsOf(p, "bn"));
        assertEquals(List.of("relu"), opsOf(p, "relu"));
        assertEquals(List.of(), opsOf(p, "drop"));
        assertEquals(List.of("max_pool2d"), opsOf(p, "pool"));
        assertEquals(List.of("flatten"), opsOf(p, "flatten"));
        assertEquals(List.of("dense"), opsOf(p, "dense"));

        Instr bn = first(p, "bn");
        assertEquals(1e-5f, ((BatchNormInfer) bn.op()).epsilon());
        assertEquals(List.of("bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"),
                bn.inputs().subList(1, 5).stream().map(Value::name).toList());
        // Dropout in inference is the identity: the pool reads the relu output directly.
        assertSame(first(p, "relu").outputs().get(0), first(p, "pool").inputs().get(0));
        assertEquals(Shape.of(2, 10), p.outputs().get(0).spec().shape());
    }

    @Test void sameConvLowersWithTheTensorFlowPadding() {
        Conv2d conv = (Conv2d) first(ProgramBuilder.inference(small(), 1, null), "conv").op();
        assertTrue(conv.bias());
        assertEquals(List.of(0, 1, 0, 1), List.of(conv.window().padTop(), conv.window().padBottom(),
                conv.window().padLeft(), conv.window().padRight()));
        assertEquals(2, conv.window().strideH());
    }

    @Test void trainingUsesBatchStatisticsUpdatingStateAndSeededDropout() {
        Model m = small();
        Program p = ProgramBuilder.training(m, 4, ProgramBuilder.Labels.SPARSE);
        Instr bn = first(p, "bn");
        Op op = bn.op();
        assertEquals(new BatchNormTrain(1e-5f, 0.9f), op);
        assertEquals(Value.Role.STATE, bn.inputs().get(3).role());
        assertEquals(Value.Role.STATE, bn.inputs().get(4).role());
        assertEquals("bn/moving_variance", bn.inputs().get(4).name());

        Instr drop = first(p, "drop");
        assertEquals(new DropoutOp(0.25f, ((Dropout) m.layer("drop")).seed()), drop.op());
        assertSame(p.stepCounter(), drop.inputs().get(1));
        assertSame(drop.outputs().get(0), first(p, "pool").inputs().get(0));
    }

    @Test void addAndConcatenateTakeAllTheirInputs() {
        SymbolicTensor a = Input.of("a", 2, 4, 4), b = Input.of("b", 2, 4, 4), c = Input.of("c", 2, 4, 4);
        SymbolicTensor s = new Add("sum").apply(a, b, c);
        SymbolicTensor cat = new Concatenate("cat").apply(s, a);
        Program p = ProgramBuilder.inference(new Model("merge", List.of(a, b, c), List.of(cat)), 3, null);
        Instr add = first(p, "sum"), concat = first(p, "cat");
        assertEquals(3, add.inputs().size());
        assertEquals(List.of("a", "b", "c"), add.inputs().stream().map(Value::name).toList());
        assertSame(add.outputs().get(0), concat.inputs().get(0));
        assertEquals(Shape.of(3, 4, 4, 4), concat.outputs().get(0).spec().shape());
    }
}
