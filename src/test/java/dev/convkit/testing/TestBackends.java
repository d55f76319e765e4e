package dev.convkit.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.Availability;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.BackendProvider;
import dev.convkit.backend.Backends;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The engines a backend test runs on: every {@link BackendProvider} registered through
 * META-INF/services, available here or not. Tests open them with {@link #open}, which turns an unavailable engine
 * into a skipped test carrying the engine's reason (e.g. no GPU), never a silent pass.
 *
 * <pre>{@code
 * @ParameterizedTest @MethodSource("dev.convkit.testing.TestBackends#providers")
 * void works(BackendProvider p) { try (Backend b = TestBackends.open(p)) { ... } }
 * }</pre>
 */
public final class TestBackends {
    private TestBackends() {}

    /** Every registered provider, highest priority first; fails when none is registered at all. */
    public static List<BackendProvider> all() {
        List<BackendProvider> list = Backends.providers();
        if (list.isEmpty()) {
            throw new IllegalStateException("no BackendProvider is registered: expected at least the cpu engine in "
                    + "META-INF/services/" + BackendProvider.class.getName());
        }
        return list;
    }

    /** JUnit method source: the providers, named by engine. */
    public static Stream<Named<BackendProvider>> providers() {
        return all().stream().map(p -> Named.of(p.name(), p));
    }

    /** Skips the calling test with the engine's reason when it cannot run here. */
    public static void assumeAvailable(BackendProvider p) {
        Availability a = p.availability();
        assumeTrue(a.available(), () -> p.name() + " engine unavailable: " + a.reason());
    }

    /**
     * Opens the engine for a test (deterministic algorithms, default threads), or skips the test when it is
     * unavailable. The caller closes the backend.
     */
    public static Backend open(BackendProvider p) {
        assumeAvailable(p);
        return p.open(BackendOptions.defaults().withDeterministic(true));
    }
}
