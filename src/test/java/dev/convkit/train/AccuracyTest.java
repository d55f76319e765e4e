package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convkit.graph.ProgramBuilder.Labels;
import org.junit.jupiter.api.Test;

class AccuracyTest {
    // 3 samples x 7 classes, hand-made
    private static final float[] PROBS = {
        0.40f, 0.10f, 0.10f, 0.10f, 0.10f, 0.10f, 0.10f,   // argmax 0
        0.05f, 0.30f, 0.20f, 0.15f, 0.12f, 0.10f, 0.08f,   // ranks: 1, 2, 3, 4, 5, 6, 0
        0.20f, 0.20f, 0.10f, 0.10f, 0.10f, 0.10f, 0.20f,   // three-way tie at the top (0, 1, 6)
    };

    @Test
    void top1UsesTheFirstMaximum() {
        assertEquals(1, Accuracy.hits(PROBS, new float[] {0, 2, 1}, Labels.SPARSE, 3, 1));   // sample 2: argmax is 0, not 1
        assertEquals(3, Accuracy.hits(PROBS, new float[] {0, 1, 0}, Labels.SPARSE, 3, 1));
    }

    @Test
    void top5CountsStrictlyGreaterClasses() {
        // sample 0: target 3 has 1 greater class → hit; sample 1: target 6 (0.08) has 5 greater → miss;
        // sample 2: target 5 (0.10) has 3 greater → hit
        assertEquals(2, Accuracy.hits(PROBS, new float[] {3, 6, 5}, Labels.SPARSE, 3, 5));
        // sample 1: target 5 (0.10) has 4 greater → hit; sample 2: target 6 ties the top, nothing greater → hit
        assertEquals(3, Accuracy.hits(PROBS, new float[] {3, 5, 6}, Labels.SPARSE, 3, 5));
        // sample 1: target 0 (0.05) has 6 greater → miss
        assertEquals(2, Accuracy.hits(PROBS, new float[] {3, 0, 6}, Labels.SPARSE, 3, 5));
    }

    @Test
    void oneHotTargetsAreTheRowArgmax() {
        float[] oneHot = new float[21];
        oneHot[0] = 1;          // sample 0 → 0
        oneHot[7 + 2] = 1;      // sample 1 → 2
        oneHot[14 + 6] = 1;     // sample 2 → 6
        assertEquals(1, Accuracy.hits(PROBS, oneHot, Labels.ONE_HOT, 3, 1));
        assertEquals(3, Accuracy.hits(PROBS, oneHot, Labels.ONE_HOT, 3, 5));
    }

    @Test
    void badLabelsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Accuracy.hits(PROBS, new float[] {0, 7, 1}, Labels.SPARSE, 3, 1));
        assertEquals("sparse label 7.0 of sample 1 is not a class index in 0..6", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Accuracy.hits(PROBS, new float[] {0, 1}, Labels.SPARSE, 3, 1));
    }

    @Test
    void accumulatorWeighsBatchesBySize() {
        MetricAccumulator acc = new MetricAccumulator();
        Metrics first = acc.add(2.0, PROBS, new float[] {0, 1, 0}, Labels.SPARSE, 3);            // 3/3 top-1
        assertEquals(new Metrics(2.0, 1.0, 1.0, 3), first);
        float[] one = {0.1f, 0.2f, 0.3f, 0.05f, 0.05f, 0.1f, 0.2f};
        acc.add(1.0, one, new float[] {0}, Labels.SPARSE, 1);                                   // miss top-1, hit top-5 (4 greater)
        Metrics m = acc.result();
        assertEquals((2.0 * 3 + 1.0) / 4, m.loss(), 1e-15);
        assertEquals(0.75, m.accuracy());
        assertEquals(1.0, m.top5Accuracy());
        assertEquals(4, m.samples());
        acc.reset();
        assertEquals(0, acc.result().samples());
        assertEquals(Double.NaN, acc.result().loss());
    }
}
