package dev.convkit.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.Padding;
import dev.convkit.models.ModelRegistry;
import dev.convkit.ops.BatchNormReluBwd;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.Op;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Which BN → ReLU pairs the program builder fuses, and only for an engine that asks. */
class FusionTest {
    private static final Predicate<Op> ENGINE_FUSES = op -> op instanceof BatchNormReluTrain || op instanceof BatchNormReluBwd;

    private static long count(Program p, String opName) {
        return p.instrs().stream().filter(i -> i.op().name().equals(opName)).count();
    }

    /**
     * ResNet20 v1: 19 BN → ReLU in the forward pass. The stem's and each block's first BN feed only a ReLU (1 + 9
     * fused); each block's second BN feeds the residual add, whose sum the block's ReLU reads (9 stay).
     */
    @Test void resnet20v1FusesTheTenBatchNormsReadOnlyByARelu() {
        Model m = ModelRegistry.create("resnet20v1");
        Program plain = ProgramBuilder.training(m, 2, Labels.SPARSE);
        assertEquals(19, count(plain, "batch_norm_train"));
        assertEquals(19, count(plain, "relu"));
        assertEquals(0, count(plain, "batch_norm_relu_train"));

        Program fused = ProgramBuilder.training(m, 2, Labels.SPARSE, ENGINE_FUSES);
        assertEquals(10, count(fused, "batch_norm_relu_train"));
        assertEquals(10, count(fused, "batch_norm_relu_bwd"));
        assertEquals(9, count(fused, "batch_norm_train"));
        assertEquals(9, count(fused, "batch_norm_bwd"));
        assertEquals(9, count(fused, "relu"));
        assertEquals(9, count(fused, "relu_bwd"));
        assertEquals(count(plain, "conv2d"), count(fused, "conv2d"));
        for (int k = 0; k < fused.instrs().size(); k++) assertEquals(k, fused.instrs().get(k).index(), "instruction index");
    }

    /** Inference programs: the same ten BN → ReLU pairs, with moving statistics; DenseNet-BC fuses 97 of 99 BNs. */
    @Test void inferenceProgramsFuseBatchNormWithRelu() {
        Predicate<Op> inferenceFusion = op -> op instanceof BatchNormReluInfer;
        Program r20 = ProgramBuilder.inference(ModelRegistry.create("resnet20v1"), 2, null, inferenceFusion);
        assertEquals(10, count(r20, "batch_norm_relu_infer"));
        assertEquals(9, count(r20, "batch_norm_infer"));
        assertEquals(9, count(r20, "relu"));
        Program dense = ProgramBuilder.inference(ModelRegistry.create("densenet_bc_100_k12"), 2, null, inferenceFusion);
        assertEquals(97, count(dense, "batch_norm_relu_infer"));
        assertEquals(2, count(dense, "batch_norm_infer"), "the two transition layers' BN feeds its 1x1 conv directly");
        assertEquals(0, count(ProgramBuilder.inference(ModelRegistry.create("resnet20v1"), 2, null), "batch_norm_relu_infer"));
    }

    @Test void nothingIsFusedForAnEngineThatDoesNotAsk() {
        Model m = ModelRegistry.create("resnet20v1");
        assertEquals(ProgramBuilder.training(m, 2, Labels.SPARSE).listing(),
                ProgramBuilder.training(m, 2, Labels.SPARSE, op -> false).listing());
    }

    /** A BN output that something besides the ReLU reads must still exist, so that pair stays apart. */
    @Test void aBatchNormOutputWithASecondReaderIsNotFused() {
        SymbolicTensor x = Input.of("image", 3, 6, 6);
        SymbolicTensor c = new Conv2D("conv", 4, 3).padding(Padding.SAME).apply(x);
        SymbolicTensor bn = new BatchNormalization("bn").apply(c);
        SymbolicTensor r = Activation.relu("relu").apply(bn);
        SymbolicTensor sum = new Add("add").apply(r, bn);
        Model m = new Model("two_readers", x, new Dense("dense", 3).apply(new Flatten("flatten").apply(sum)));
        Program p = ProgramBuilder.training(m, 2, Labels.SPARSE, ENGINE_FUSES);
        assertEquals(0, count(p, "batch_norm_relu_train"));
        assertEquals(1, count(p, "batch_norm_train"));
    }

    /** The fused instruction writes the ReLU's own output value, so its readers are unchanged. */
    @Test void theFusedOpWritesTheReluOutputValue() {
        SymbolicTensor x = Input.of("image", 3, 6, 6);
        SymbolicTensor c = new Conv2D("conv", 4, 3).padding(Padding.SAME).apply(x);
        SymbolicTensor r = Activation.relu("relu").apply(new BatchNormalization("bn").apply(c));
        Model m = new Model("chain", x, new Dense("dense", 3).apply(new Flatten("flatten").apply(r)));
        Program plain = ProgramBuilder.training(m, 2, Labels.SPARSE);
        Program fused = ProgramBuilder.training(m, 2, Labels.SPARSE, ENGINE_FUSES);
        Instr relu = plain.instrs().stream().filter(i -> i.op().name().equals("relu")).findFirst().orElseThrow();
        Instr bnRelu = fused.instrs().stream().filter(i -> i.op() instanceof BatchNormReluTrain).findFirst().orElseThrow();
        Instr flatten = fused.instrs().stream().filter(i -> i.op().name().equals("flatten")).findFirst().orElseThrow();
        assertEquals(relu.outputs().get(0).name(), bnRelu.outputs().get(0).name());
        assertSame(bnRelu.outputs().get(0), flatten.inputs().get(0));
        assertEquals("bn+relu", bnRelu.origin());
    }
}
