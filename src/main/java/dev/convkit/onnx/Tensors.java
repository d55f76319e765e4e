package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * TensorProto ⇄ Java arrays. Floats are written as little-endian raw_data (what every exporter writes); reading
 * also accepts float_data / int64_data / int32_data and external data (a file beside the model, with optional
 * offset and length). Only float32 weights and int64/int32 shape-like tensors are read; other element types fail
 * naming the tensor.
 */
final class Tensors {
    private Tensors() {}

    /**
     * A constant of the graph: float values or integer values (exactly one is non-null), row-major.
     *
     * @param dims the ONNX dims; empty for a scalar
     */
    record Const(String name, long[] dims, float[] floats, long[] longs) {
        long size() { return floats != null ? floats.length : longs.length; }

        String shape() { return Arrays.toString(dims); }
    }

    static TensorProto floats(String name, int[] dims, float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (int d : dims) t.addDims(d);
        return t.setRawData(ByteString.copyFrom(b.array())).build();
    }

    static TensorProto longs(String name, long... data) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(data.length);
        for (long v : data) t.addInt64Data(v);
        return t.build();
    }

    /** Decodes {@code t}; {@code baseDir} is the model file's folder, where external data files are looked up. */
    static Const read(TensorProto t, Path baseDir) {
        String name = t.getName();
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : dims) {
            if (d < 0) throw new OnnxException("tensor '" + name + "' has a negative dimension in its shape " + Arrays.toString(dims));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new OnnxException("tensor '" + name + "' has " + n + " elements, more than a Java array holds");
        int type = t.getDataType();
        boolean isFloat = type == TensorProto.DataType.FLOAT_VALUE;
        boolean isLong = type == TensorProto.DataType.INT64_VALUE, isInt = type == TensorProto.DataType.INT32_VALUE;
        if (!isFloat && !isLong && !isInt) {
            throw new OnnxException("tensor '" + name + "' has element type " + typeName(type)
                    + "; ConvKit reads float32 weights and int64/int32 shapes and pads");
        }
        int count = (int) n, width = isLong ? 8 : 4;
        ByteBuffer raw = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = external(t, baseDir, (long) count * width);
        } else if (t.hasRawData()) {
            raw = t.getRawData().asReadOnlyByteBuffer();
            if (raw.remaining() != (long) count * width) {
                throw new OnnxException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " needs " + (long) count * width
                        + " bytes of raw data, has " + raw.remaining());
            }
        }
        if (raw != null) {
            raw.order(ByteOrder.LITTLE_ENDIAN);
            if (isFloat) {
                float[] f = new float[count];
                raw.asFloatBuffer().get(f);
                return new Const(name, dims, f, null);
            }
            long[] l = new long[count];
            for (int i = 0; i < count; i++) l[i] = isLong ? raw.getLong() : raw.getInt();
            return new Const(name, dims, null, l);
        }
        int stored = isFloat ? t.getFloatDataCount() : isLong ? t.getInt64DataCount() : t.getInt32DataCount();
        if (stored != count) {
            throw new OnnxException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " needs " + count + " values, has " + stored);
        }
        if (isFloat) {
            float[] f = new float[count];
            for (int i = 0; i < count; i++) f[i] = t.getFloatData(i);
            return new Const(name, dims, f, null);
        }
        long[] l = new long[count];
        for (int i = 0; i < count; i++) l[i] = isLong ? t.getInt64Data(i) : t.getInt32Data(i);
        return new Const(name, dims, null, l);
    }

    private static ByteBuffer external(TensorProto t, Path baseDir, long bytes) {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException x) {
                throw new OnnxException("tensor '" + t.getName() + "': external data " + e.getKey() + " '" + e.getValue() + "' is not a number");
            }
        }
        if (location == null) throw new OnnxException("tensor '" + t.getName() + "' is stored externally but names no 'location' file");
        Path file = (baseDir == null ? Path.of(".") : baseDir).resolve(location);
        if (!Files.isRegularFile(file)) {
            throw new OnnxException("tensor '" + t.getName() + "' is stored in the external data file '" + location
                    + "', which does not exist (looked for " + file.toAbsolutePath() + "); keep the data files beside the .onnx file");
        }
        if (length >= 0 && length != bytes) {
            throw new OnnxException("tensor '" + t.getName() + "': external data length " + length + " bytes, the shape needs " + bytes);
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (offset < 0 || offset + bytes > f.length()) {
                throw new OnnxException("tensor '" + t.getName() + "': external data file '" + location + "' has " + f.length()
                        + " bytes, the tensor needs bytes " + offset + " to " + (offset + bytes));
            }
            byte[] data = new byte[(int) bytes];
            f.seek(offset);
            f.readFully(data);
            return ByteBuffer.wrap(data);
        } catch (IOException e) {
            throw new OnnxException("tensor '" + t.getName() + "': cannot read external data file " + file + ": " + e.getMessage(), e);
        }
    }

    static String typeName(int type) {
        TensorProto.DataType d = TensorProto.DataType.forNumber(type);
        return d == null ? "code " + type : d.name().toLowerCase(java.util.Locale.ROOT);
    }
}
