package dev.convkit.cli;

/** Process exit codes of the convkit command (picocli's conventions: 0 ok, 1 failure, 2 usage). */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    /** The command ran and failed: missing data files, unreadable checkpoint, NaN loss, engine error. */
    public static final int FAILURE = 1;
    /** The command line was wrong: unknown option or name, invalid value. Nothing was run. */
    public static final int USAGE = 2;
}
