package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.HashMap;
import java.util.Map;

/** Typed access to a node's attributes; a missing attribute gives the ONNX default the caller passes. */
final class Attrs {
    private final NodeProto node;
    private final Map<String, AttributeProto> byName = new HashMap<>();

    Attrs(NodeProto node) {
        this.node = node;
        for (AttributeProto a : node.getAttributeList()) byName.put(a.getName(), a);
    }

    boolean has(String name) { return byName.containsKey(name); }

    long i(String name, long def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : a.getI();
    }

    float f(String name, float def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : a.getF();
    }

    String s(String name, String def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : a.getS().toStringUtf8();
    }

    /** The ints attribute, or null when absent. */
    long[] ints(String name) {
        AttributeProto a = byName.get(name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** The ints attribute as int[] of exactly {@code n} values, or {@code def} when absent. */
    int[] ints(String name, int n, int... def) {
        long[] v = ints(name);
        if (v == null) return def;
        if (v.length != n) throw new OnnxException(GraphReader.describe(node) + ": attribute '" + name + "' must have " + n
                + " values, has " + v.length);
        int[] out = new int[n];
        for (int k = 0; k < n; k++) out[k] = Math.toIntExact(v[k]);
        return out;
    }

    AttributeProto raw(String name) { return byName.get(name); }
}
