package dev.convkit.data;

/**
 * A data set that cannot be loaded: a missing, corrupt or truncated file, an unknown data set name, a failed
 * download or checksum. The message is one paragraph naming the file or data set, what was wrong and what was
 * expected, so it can be shown to a user as it is.
 */
public final class DatasetException extends RuntimeException {

    public DatasetException(String message) { super(message); }

    public DatasetException(String message, Throwable cause) { super(message, cause); }
}
