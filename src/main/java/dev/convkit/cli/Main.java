package dev.convkit.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code convkit} command: train, evaluate and inspect the model zoo from a terminal.
 *
 * <pre>
 * convkit models
 * convkit summary --model resnet20v1 --diagram resnet20v1.svg
 * convkit fit --model resnet20v1 --dataset cifar10 --epochs 200 --batch-size 32 --optimizer adam --lr 1e-3 --augment --engine auto --out runs/r20
 * convkit evaluate --checkpoint runs/r20
 * convkit predict --checkpoint runs/r20 --input data/cifar-10/test_batch.bin.gz --count 8
 * </pre>
 *
 * Every failure ends in one paragraph on stderr and a non-zero exit code ({@link ExitCodes}); {@code --verbose}
 * adds the stack trace.
 */
@Command(name = "convkit", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = "Train deep convolutional networks from Java on oneDNN (cpu) and cuDNN (cuda).",
        subcommands = {FitCommand.class, EvaluateCommand.class, PredictCommand.class, SummaryCommand.class, ModelsCommand.class, ExportCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Run 'convkit COMMAND --help' for the options of a command. Recipes with the seeds' hyper-parameters: models/README.md."})
public final class Main implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of a failure; in fit, name the first op whose output is not finite when the loss becomes NaN or infinite.")
    boolean verbose;

    /** Without a sub-command: the usage on stderr, exit code 2. */
    @Override public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("convkit: missing command");
        spec.commandLine().usage(err);
        err.flush();
        return ExitCodes.USAGE;
    }

    public static void main(String[] args) {
        // Plots are drawn with java.awt into images; headless so no display is ever needed (the launcher sets it too).
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }

    /** Runs the command line in-process with the given streams and returns the exit code (tests call this). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = commandLine(out, err);
        int code;
        try {
            code = cmd.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands only Exceptions to the handler; a full heap is the one Error a user can do something about.
            err.println("convkit: the Java heap is full (" + e.getMessage() + "); give the JVM more memory, e.g. CONVKIT_JAVA_OPTS=-Xmx16g, "
                    + "or use --limit-train or a smaller --batch-size");
            code = ExitCodes.FAILURE;
        }
        out.flush();
        err.flush();
        return code;
    }

    /** The configured picocli command, for tests that only parse. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        ErrorReporter errors = new ErrorReporter();
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler(errors);
        cmd.setParameterExceptionHandler(errors);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    /** The version from the jar's Maven metadata. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            try (InputStream in = Main.class.getResourceAsStream("/META-INF/maven/dev.convkit/convkit/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    return new String[] {"convkit " + p.getProperty("version", "(unknown)"), "Java " + Runtime.version()};
                }
            } catch (java.io.IOException e) {
                // fall through: report what is known
            }
            return new String[] {"convkit (version unknown: not running from the packaged jar)", "Java " + Runtime.version()};
        }
    }
}
