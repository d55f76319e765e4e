package dev.convkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.convkit.backend.Availability;
import dev.convkit.backend.BackendProvider;
import dev.convkit.backend.Backends;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kit's engine report: one tab-separated line per registered engine, agreeing with the providers themselves. */
class EngineReportTest {
    @Test
    void oneLinePerProviderWithItsOwnVerdictAndReason() {
        List<BackendProvider> providers = Backends.providers();
        List<String> lines = EngineReport.lines();
        assertEquals(providers.size(), lines.size(), "one line per provider: " + lines);
        for (int i = 0; i < lines.size(); i++) {
            BackendProvider p = providers.get(i);
            Availability a = p.availability();
            String[] f = lines.get(i).split("\t", -1);
            assertEquals(3, f.length, "NAME<TAB>VERDICT<TAB>REASON: " + lines.get(i));
            assertEquals(p.name(), f[0]);
            assertEquals(a.available() ? "available" : "unavailable", f[1]);
            assertEquals(a.reason().replaceAll("\\s*\\R\\s*", " ").trim(), f[2]);
            assertFalse(f[2].isEmpty(), p.name() + " gives a detail or reason");
        }
        assertEquals(List.of("cuda", "cpu"), providers.stream().map(BackendProvider::name).toList(),
                "both engines are registered, cuda first (priority)");
    }
}
