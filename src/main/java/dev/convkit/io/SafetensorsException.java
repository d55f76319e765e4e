package dev.convkit.io;

import java.io.IOException;

/** A safetensors file that is malformed or uses something ConvKit does not read; the message names file and fault. */
public final class SafetensorsException extends IOException {

    public SafetensorsException(String message) { super(message); }

    public SafetensorsException(String message, Throwable cause) { super(message, cause); }
}
