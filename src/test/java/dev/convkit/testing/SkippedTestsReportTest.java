package dev.convkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The report lists each reason once with its count and classes, largest group first, from a real launcher run. */
class SkippedTestsReportTest {

    /** Run only through the launcher below (Surefire leaves nested classes alone). */
    static class Fixture {
        @Test void noGpu1() { assumeTrue(false, "no GPU here"); }
        @Test void noGpu2() { assumeTrue(false, "no GPU here"); }
        @Test void runs() { }
        @Test @Disabled("waits for the data set") void disabled() { }
    }

    @Test
    void printsEveryReasonWithItsCountAndClasses() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            // The listener is found through META-INF/services, as under Maven.
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Fixture.class)).build());
        } finally {
            System.setOut(stdout);
        }
        String nl = System.lineSeparator();
        assertEquals(nl + "Skipped: 3 of 4 tests, 2 reasons" + nl
                + "  2 tests: no GPU here" + nl
                + "     in SkippedTestsReportTest$Fixture (2)" + nl
                + "  1 test: disabled: waits for the data set" + nl
                + "     in SkippedTestsReportTest$Fixture (1)" + nl, captured.toString(StandardCharsets.UTF_8));
    }
}
