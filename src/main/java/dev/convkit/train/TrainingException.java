package dev.convkit.train;

/**
 * Training stopped because it cannot go on meaningfully, e.g. the loss became NaN or infinite. Carries the 0-based
 * epoch and the 1-based step within it where it happened; checkpoints written before are left untouched. The message
 * may end with a hint, a sentence saying how to learn more ({@link #hint()}); a front end can swap it for its own
 * words with {@link #messageWithHint}.
 */
public final class TrainingException extends RuntimeException {
    private final int epoch;
    private final int step;
    private final String text;   // the message without the hint
    private final String hint;   // null: none

    public TrainingException(int epoch, int step, String message) { this(epoch, step, message, null); }

    /** A message followed by {@code hint} (null for none). */
    public TrainingException(int epoch, int step, String message, String hint) {
        super(hint == null ? message : message + " " + hint);
        this.epoch = epoch;
        this.step = step;
        this.text = message;
        this.hint = hint;
    }

    /** 0-based epoch in which training stopped. */
    public int epoch() { return epoch; }

    /** 1-based step within that epoch. */
    public int step() { return step; }

    /** The closing sentence that says how to learn more, or null when the message has none. */
    public String hint() { return hint; }

    /** The message with {@code otherHint} in place of {@link #hint()}; the message itself when it has no hint. */
    public String messageWithHint(String otherHint) { return hint == null ? getMessage() : text + " " + otherHint; }
}
