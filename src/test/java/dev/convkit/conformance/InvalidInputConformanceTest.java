package dev.convkit.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendProvider;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Op;
import dev.convkit.ops.Window2d;
import dev.convkit.testing.ReferenceOps;
import dev.convkit.testing.TestBackends;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inputs an op cannot take: every engine's {@code compile} (and the reference) must throw, with a message naming the
 * op and the offending shapes, instead of running on garbage.
 */
class InvalidInputConformanceTest {

    /** An op, specs it must reject, and fragments the message must contain. */
    record BadInput(Op op, List<TensorSpec> specs, List<String> mentions) {}

    static List<Named<BadInput>> badInputs() {
        Window2d same3 = Window2d.same(5, 5, 3, 3, 1, 1, 1, 1);
        TensorSpec f16 = new TensorSpec(Shape.of(1, 3, 5, 5), DType.F16, Layout.CANONICAL);
        return List.of(
                Named.of("conv2d with 2 weight in-channels for 3 src channels", new BadInput(new Conv2d(same3, false),
                        List.of(TensorSpec.f32(1, 3, 5, 5), TensorSpec.f32(4, 2, 3, 3)), List.of("conv2d", "(1, 3, 5, 5)", "(4, 2, 3, 3)"))),
                Named.of("concat with mismatched H", new BadInput(new Concat(2),
                        List.of(TensorSpec.f32(1, 2, 4, 4), TensorSpec.f32(1, 3, 5, 4)), List.of("concat", "(1, 2, 4, 4)", "(1, 3, 5, 4)"))),
                Named.of("add of different shapes", new BadInput(new AddOp(2),
                        List.of(TensorSpec.f32(2, 3), TensorSpec.f32(2, 4)), List.of("add", "(2, 3)", "(2, 4)"))),
                Named.of("5x5 kernel on a 3x3 input without padding", new BadInput(new Conv2d(Window2d.valid(5, 5, 1, 1, 1, 1), false),
                        List.of(TensorSpec.f32(1, 1, 3, 3), TensorSpec.f32(1, 1, 5, 5)), List.of("conv2d", "(1, 1, 3, 3)", "larger"))),
                Named.of("f16 src", new BadInput(new Conv2d(same3, false),
                        List.of(f16, TensorSpec.f32(4, 3, 3, 3)), List.of("conv2d", "f16(1, 3, 5, 5)"))));
    }

    static Stream<Arguments> enginesAndBadInputs() {
        return TestBackends.all().stream().flatMap(p -> badInputs().stream().map(b -> Arguments.of(Named.of(p.name(), p), b)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("enginesAndBadInputs")
    void compileRejectsWithAMessageNamingOpAndShapes(BackendProvider provider, BadInput bad) {
        try (Backend backend = TestBackends.open(provider)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> backend.compile(bad.op(), bad.specs(), null).close(),
                    provider.name() + " compiled " + bad.op() + " for " + bad.specs());
            assertMentions(e, bad.mentions());
        }
    }

    /** The shape-rule cases: all but the dtype one, which is an engine's limit rather than an op's. */
    static Stream<Named<BadInput>> badShapes() {
        return badInputs().stream().filter(b -> b.getPayload().specs().stream().allMatch(s -> s.dtype() == DType.F32));
    }

    /** The reference rejects bad shapes the same way (through the ops' shape rules). */
    @ParameterizedTest(name = "reference: {0}")
    @MethodSource("badShapes")
    void referenceRejectsBadShapes(BadInput bad) {
        double[][] values = bad.specs().stream().map(s -> new double[(int) s.size()]).toArray(double[][]::new);
        RuntimeException e = assertThrows(RuntimeException.class, () -> ReferenceOps.run(bad.op(), bad.specs(), values));
        assertMentions(e, bad.mentions());
    }

    private static void assertMentions(RuntimeException e, List<String> mentions) {
        String message = String.valueOf(e.getMessage());
        for (String m : mentions) {
            assertTrue(message.contains(m), () -> "message should mention '" + m + "': " + message);
        }
    }
}
