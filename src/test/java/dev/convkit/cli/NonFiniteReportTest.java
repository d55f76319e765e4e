package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fit} on a run that diverges on purpose (mnist_resnet, SGD at learning rate 1e30: the first step makes the BN
 * scales ~1e29, so the second step overflows; a model without BN, mnist_cnn, only dies, its ReLUs all off): the
 * failure names the first op whose output is not finite under {@code --verbose}, given after {@code fit} or before
 * it, and says how to ask for it otherwise. That op's inputs are finite: the diverging step's own update of the BN
 * moving statistics was undone before the diagnosis ran it again.
 */
class NonFiniteReportTest {
    @TempDir Path tmp;

    private static final String HINT = "Run with --verbose to find the first op whose output is not finite.";
    private static final Pattern OP = Pattern.compile("The first op whose output is not finite: #\\d+ \\w+ → \\S+ \\(f32, layer \\S+\\): "
            + "\\d+ NaN, \\d+ Inf of \\d+; its inputs were finite\\.");

    private CliRun diverge(String name, String... extra) {
        List<String> a = new ArrayList<>(List.of(extra));
        int fit = a.indexOf("fit");
        a.addAll(fit + 1, List.of("--model", "mnist_resnet", "--dataset", "mnist", "--batch-size", "32", "--limit-train", "128",
                "--limit-test", "64", "--offline", "--progress", "off", "--engine", "cpu", "--optimizer", "sgd", "--lr", "1e30",
                "--epochs", "2", "--out", tmp.resolve(name).toString()));
        CliRun r = CliRun.of(a.toArray(new String[0]));
        assertEquals(ExitCodes.FAILURE, r.exit(), r.transcript());
        assertTrue(r.err().contains("the loss became "), r.transcript());
        assertTrue(r.err().contains("training stopped and this step's update was not applied"), r.transcript());
        return r;
    }

    @Test void withoutVerboseTheFailureSaysHowToFindTheOp() {
        CliRun r = diverge("plain", "fit");
        assertTrue(r.err().contains(HINT), r.transcript());
        assertFalse(r.err().contains("TrainerBuilder"), "the library's hint is replaced: " + r.transcript());
        assertFalse(OP.matcher(r.err()).find(), r.transcript());
    }

    @Test void verboseAfterFitNamesTheFirstNonFiniteOp() {
        CliRun r = diverge("after", "fit", "--verbose");
        assertTrue(OP.matcher(r.err()).find(), r.transcript());
        assertFalse(r.err().contains(HINT), r.transcript());
    }

    @Test void verboseBeforeFitNamesItToo() {
        CliRun r = diverge("before", "--verbose", "fit");
        assertTrue(OP.matcher(r.err()).find(), r.transcript());
    }
}
