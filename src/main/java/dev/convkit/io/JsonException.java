package dev.convkit.io;

/** A JSON text that cannot be parsed, or a value that cannot be written as JSON. The message says where and why. */
public final class JsonException extends IllegalArgumentException {

    public JsonException(String message) { super(message); }
}
