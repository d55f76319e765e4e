package dev.convkit.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.testing.Closeness.Tolerance;
import dev.convkit.tensor.Shape;
import org.junit.jupiter.api.Test;

/** The comparison every engine test relies on: its acceptance rule and what a failure reports. */
class ClosenessTest {

    @Test
    void acceptsWithinAbsolutePlusRelativeTolerance() {
        Tolerance t = new Tolerance(1e-4, 1e-3);
        assertTrue(t.accepts(100, 100.1));           // 0.1 ≤ 1e-4 + 0.1
        assertTrue(t.accepts(0, 1e-4));
        assertTrue(!t.accepts(100, 100.2));
        assertTrue(!t.accepts(0, 2e-4));
        assertTrue(!t.accepts(1, Double.NaN), "NaN never passes");
    }

    @Test
    void failureCountsMismatchesAndNamesTheirIndices() {
        Shape shape = Shape.of(2, 3);
        double[] expected = {0, 1, 2, 3, 4, 5};
        double[] actual = {0, 1, 2.5, 3, 4, Double.NaN};
        AssertionError e = assertThrows(AssertionError.class,
                () -> Closeness.assertClose("conv2d output 0", shape, expected, actual, Tolerance.F32));
        String m = e.getMessage();
        assertTrue(m.contains("conv2d output 0 (2, 3)"), m);
        assertTrue(m.contains("2 of 6 values"), m);
        assertTrue(m.contains("[0, 2] expected 2.0 got 2.5"), m);
        assertTrue(m.contains("[1, 2] expected 5.0 got NaN"), m);
    }

    @Test
    void lengthMismatchIsAFailure() {
        assertThrows(AssertionError.class, () -> Closeness.assertClose("x", Shape.of(2), new double[2], new double[3], Tolerance.F32));
        assertDoesNotThrow(() -> Closeness.assertClose("x", Shape.of(2), new double[] {1, 2}, new double[] {1, 2.0001}, Tolerance.F32));
    }
}
