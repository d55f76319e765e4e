package dev.convkit.cli;

/**
 * A failure the user can fix, reported as one paragraph on stderr without a stack trace: what was wrong, where, and
 * what is valid. {@link #exitCode()} is {@link ExitCodes#USAGE} for bad arguments, {@link ExitCodes#FAILURE} for
 * runs that could not complete (missing files, diverged training).
 */
public final class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(String message) { this(message, ExitCodes.FAILURE, null); }

    public CliException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A bad argument or option value (exit code 2). */
    public static CliException usage(String message) { return new CliException(message, ExitCodes.USAGE, null); }

    public int exitCode() { return exitCode; }
}
