package dev.convkit.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Input;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchNormalizationTest {

    @Test void kerasDefaults() {
        BatchNormalization bn = new BatchNormalization("bn");
        assertEquals(0.99f, bn.momentum());
        assertEquals(1e-3f, bn.epsilon());
        BatchNormalization tuned = new BatchNormalization("bn2").momentum(0.9f).epsilon(1e-5f);
        assertEquals(0.9f, tuned.momentum());
        assertEquals(1e-5f, tuned.epsilon());
    }

    @Test void fourParamsPerChannelTwoOfThemNonTrainableState() {
        List<ParamSpec> ps = new BatchNormalization("bn").params(List.of(Shape.of(16, 8, 8)));
        assertEquals(List.of("gamma", "beta", "moving_mean", "moving_variance"), ps.stream().map(ParamSpec::localName).toList());
        assertEquals(List.of(ParamKind.GAMMA, ParamKind.BETA, ParamKind.MOVING_MEAN, ParamKind.MOVING_VARIANCE),
                ps.stream().map(ParamSpec::kind).toList());
        assertEquals(List.of(Initializer.ONES, Initializer.ZEROS, Initializer.ZEROS, Initializer.ONES),
                ps.stream().map(ParamSpec::init).toList());
        for (ParamSpec p : ps) assertEquals(Shape.of(16), p.shape());
        assertEquals(32, ps.stream().filter(p -> p.kind().trainable()).mapToLong(ParamSpec::count).sum());
        assertEquals(32, ps.stream().filter(p -> !p.kind().trainable()).mapToLong(ParamSpec::count).sum());
    }

    @Test void acceptsImagesAndVectorsKeepingTheShape() {
        assertEquals(Shape.of(16, 8, 8), new BatchNormalization("a").apply(Input.of("x", 16, 8, 8)).shape());
        assertEquals(Shape.of(100), new BatchNormalization("b").apply(Input.of("v", 100)).shape());
    }

    @Test void rejectsOtherRanksNamingLayerAndShape() {
        GraphException e = assertThrows(GraphException.class, () -> new BatchNormalization("head/bn").apply(Input.of("m", 4, 5)));
        assertTrue(e.getMessage().contains("head/bn"), e.getMessage());
        assertTrue(e.getMessage().contains("(4, 5)"), e.getMessage());
    }

    @Test void rejectsBadMomentumAndEpsilon() {
        assertThrows(GraphException.class, () -> new BatchNormalization("bn").momentum(1.5f));
        assertThrows(GraphException.class, () -> new BatchNormalization("bn").epsilon(0f));
    }
}
