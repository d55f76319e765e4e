package dev.convkit.backend.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One script for the host kernel driver (protocol in native/host/host_driver.cpp): uploads, launches of
 * {@link DeviceFunction}s with arguments checked against their signature letters, and read-backs, then one run of the
 * driver process for the whole batch. Values read back are available after {@link #execute()}.
 */
final class HostRun {
    /** Order in which the threads of a block run between two barriers or shuffles (kernels that synchronise). */
    enum Order { FORWARD, REVERSE, SHUFFLED }

    /** A buffer of the script: {@code length} floats or ints. */
    record Buf(int id, int length, boolean ints) {}

    /** A buffer's contents at one point of the script, filled in by {@link #execute()}. */
    static final class Readback {
        private final Buf buf;
        private ByteBuffer data;

        private Readback(Buf buf) { this.buf = buf; }

        float[] floats() {
            float[] out = new float[buf.length()];
            data().asFloatBuffer().get(out);
            return out;
        }

        int[] ints() {
            int[] out = new int[buf.length()];
            data().asIntBuffer().get(out);
            return out;
        }

        private ByteBuffer data() {
            if (data == null) throw new IllegalStateException("read-back of buffer #" + buf.id() + " before execute()");
            return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** What one driver run did. */
    record Stats(long launches, long fiberLaunches) {}

    private static final long RUN_TIMEOUT_S = 300;

    private ByteBuffer script = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final List<Readback> readbacks = new ArrayList<>();
    private int nextId;
    private int launches;

    HostRun() { script.put("CKH1".getBytes(StandardCharsets.US_ASCII)); }

    Buf floats(float[] values) {
        Buf b = new Buf(nextId++, values.length, false);
        header(b, 4L * values.length).asFloatBuffer().put(values);
        script.position(script.position() + 4 * values.length);
        return b;
    }

    Buf ints(int[] values) {
        Buf b = new Buf(nextId++, values.length, true);
        header(b, 4L * values.length).asIntBuffer().put(values);
        script.position(script.position() + 4 * values.length);
        return b;
    }

    /** {@code n} floats, all NaN: an output that must be written everywhere. */
    Buf nans(int n) {
        float[] v = new float[n];
        Arrays.fill(v, Float.NaN);
        return floats(v);
    }

    /** {@code n} ints, all {@code Integer.MIN_VALUE}: an int output that must be written everywhere. */
    Buf unsetInts(int n) {
        int[] v = new int[n];
        Arrays.fill(v, Integer.MIN_VALUE);
        return ints(v);
    }

    /** A launch with threads in forward order. */
    HostRun launch(String label, DeviceFunction f, int grid, int block, Object... args) {
        return launchOrdered(label, f, grid, block, Order.FORWARD, 0L, args);
    }

    /**
     * Launches {@code f} with a 1-D grid; {@code args} follow f's signature: P a {@link Buf} or null, L and U a Long,
     * I an Integer, F a Float.
     */
    HostRun launchOrdered(String label, DeviceFunction f, int grid, int block, Order order, long seed, Object... args) {
        String sig = f.signature();
        if (args.length != sig.length()) {
            throw new IllegalArgumentException(f.symbol() + " takes " + sig.length() + " arguments (" + sig + "), got "
                    + args.length);
        }
        ensure(64 + label.length() * 3);
        script.put((byte) 'K');
        string(f.symbol());
        string(label);
        script.putInt(grid).putInt(1).putInt(1).putInt(block).putInt(1).putInt(1);
        script.putInt(order.ordinal()).putLong(seed).putInt(args.length);
        for (int i = 0; i < args.length; i++) {
            char kind = sig.charAt(i);
            Object a = args[i];
            long value = switch (kind) {
                case 'P' -> a == null ? -1 : ((Buf) expect(a, Buf.class, f, i)).id();
                case 'L', 'U' -> (Long) expect(a, Long.class, f, i);
                case 'I' -> (Integer) expect(a, Integer.class, f, i);
                case 'F' -> Float.floatToRawIntBits((Float) expect(a, Float.class, f, i)) & 0xFFFFFFFFL;
                default -> throw new IllegalStateException("signature letter " + kind + " of " + f.symbol());
            };
            ensure(9);
            script.put((byte) kind).putLong(value);
        }
        launches++;
        return this;
    }

    /** The contents of {@code b} at this point of the script. */
    Readback read(Buf b) {
        ensure(5);
        script.put((byte) 'R').putInt(b.id());
        Readback r = new Readback(b);
        readbacks.add(r);
        return r;
    }

    /** Frees every buffer in the driver (between cases, to keep its memory small); ids of earlier buffers end. */
    void freeAll() {
        ensure(1);
        script.put((byte) 'F');
    }

    /** Runs the script in one driver process; fails with the driver's message when it reports a problem. */
    Stats execute() {
        Path exe = HostKernels.driver();
        ensure(1);
        script.put((byte) 'E');
        Path dir = exe.getParent();
        try {
            Path in = Files.createTempFile(dir, "script", ".bin");
            Path out = Files.createTempFile(dir, "results", ".bin");
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            try {
                Files.write(in, Arrays.copyOf(script.array(), script.position()));
                Process p = new ProcessBuilder(exe.toString()).redirectInput(in.toFile()).redirectOutput(out.toFile())
                        .redirectError(err.toFile()).start();
                if (!p.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("the host kernel driver ran over " + RUN_TIMEOUT_S + " s (" + launches
                            + " launches); stderr: " + Files.readString(err));
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("the host kernel driver failed (exit " + p.exitValue() + "): "
                            + Files.readString(err).strip());
                }
                return parse(ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN));
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("running the host kernel driver", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the host kernels", e);
        }
    }

    private Stats parse(ByteBuffer results) {
        for (Readback r : readbacks) {
            int id = results.getInt();
            long bytes = results.getLong();
            if (id != r.buf.id() || bytes != 4L * r.buf.length()) {
                throw new AssertionError("driver returned buffer #" + id + " of " + bytes + " bytes where #" + r.buf.id()
                        + " of " + 4L * r.buf.length() + " was expected");
            }
            r.data = results.slice(results.position(), (int) bytes);
            results.position(results.position() + (int) bytes);
        }
        byte[] done = new byte[4];
        results.get(done);
        if (!new String(done, StandardCharsets.US_ASCII).equals("DONE")) throw new AssertionError("driver output is truncated");
        return new Stats(results.getLong(), results.getLong());
    }

    private static Object expect(Object a, Class<?> type, DeviceFunction f, int i) {
        if (!type.isInstance(a)) {
            throw new IllegalArgumentException(f.symbol() + " argument " + i + " (" + f.signature().charAt(i) + ") must be a "
                    + type.getSimpleName() + ", got " + (a == null ? "null" : a.getClass().getSimpleName()));
        }
        return a;
    }

    private ByteBuffer header(Buf b, long bytes) {
        if (bytes > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("buffer of " + bytes + " bytes is too large");
        ensure(13 + (int) bytes);
        script.put((byte) 'B').putInt(b.id()).putLong(bytes);
        return script.slice(script.position(), (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(4 + b.length);
        script.putInt(b.length).put(b);
    }

    private void ensure(int more) {
        if (script.remaining() >= more) return;
        long want = Math.max((long) script.capacity() * 2, (long) script.position() + more);
        if (want > Integer.MAX_VALUE - 8) throw new IllegalStateException("host kernel script over 2 GiB");
        ByteBuffer bigger = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
        script.flip();
        bigger.put(script);
        script = bigger;
    }
}
