package dev.convkit.train;

/**
 * A checkpoint that cannot be written, read or loaded into a model: missing or inconsistent files, another model,
 * other shapes, another optimizer. The message names the folder, the item and what was expected versus found.
 */
public final class CheckpointException extends RuntimeException {

    public CheckpointException(String message) { super(message); }

    public CheckpointException(String message, Throwable cause) { super(message, cause); }
}
