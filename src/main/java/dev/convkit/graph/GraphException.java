package dev.convkit.graph;

/** A model that cannot be built: the message names the layer, the shapes involved and what was expected. */
public final class GraphException extends IllegalArgumentException {
    public GraphException(String message) { super(message); }

    public GraphException(String message, Throwable cause) { super(message, cause); }
}
