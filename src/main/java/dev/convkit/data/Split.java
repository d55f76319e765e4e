package dev.convkit.data;

import java.util.Locale;

/** Which part of a data set: the training records or the held-out test records. */
public enum Split {
    TRAIN,
    TEST;

    /** "train" or "test". */
    public String lower() { return name().toLowerCase(Locale.ROOT); }
}
