package dev.convkit.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader of the CUDA fatbinary that packages our kernels: which architectures it holds code for and which kernel
 * entry points each holds. Used by the availability probe (does the device have code it can run?) and by the build
 * test (which has no cuobjdump). The container is little-endian:
 * <pre>
 *   header:  u32 magic 0xBA55ED50 | u16 version | u16 headerSize | u64 payloadSize
 *   entries: u16 kind (1 = PTX, 2 = ELF) | u16 version | u32 entryHeaderSize | u64 size | ... | u32 arch @ +28
 *            | u64 flags @ +40 (0x2000 = compressed) ... then `size` bytes of PTX text or a cubin (ELF64)
 * </pre>
 * The build passes nvcc {@code --no-compress}, so payloads are readable as they are.
 */
final class Fatbin {
    /** Class-path name of the packaged kernels, relative to this package. */
    static final String RESOURCE = "convkit_kernels.fatbin";
    /**
     * Written instead of the fatbin when the build skipped the kernels; its first line is why ("no nvcc when ConvKit
     * was built", "built with -Dconvkit.skipCudaKernels=true"), written by the antrun section of pom.xml.
     */
    static final String SKIPPED_MARKER = "convkit_kernels.skipped";

    static final int MAGIC = 0xBA55ED50;
    static final int KIND_PTX = 1;
    static final int KIND_ELF = 2;
    private static final long FLAG_COMPRESSED = 0x2000;

    /** One code object: PTX text or a cubin for {@code arch} (e.g. 90 for sm_90 / compute_90). */
    record Entry(int kind, int arch, boolean compressed, byte[] payload) {
        boolean isElf() { return kind == KIND_ELF; }

        boolean isPtx() { return kind == KIND_PTX; }

        /** Kernel entry points: global FUNC symbols of a cubin, or {@code .entry} names of PTX text. */
        Set<String> kernelNames() {
            if (compressed) throw new IllegalStateException("fatbin entry for arch " + arch + " is compressed; "
                    + "rebuild the kernels with nvcc --no-compress (native/CMakeLists.txt does)");
            return isElf() ? Elf64.globalFunctions(payload) : ptxEntries(new String(payload, StandardCharsets.US_ASCII));
        }

        @Override public String toString() { return (isElf() ? "sm_" : "compute_") + arch + (compressed ? " (compressed)" : ""); }
    }

    private final List<Entry> entries;

    private Fatbin(List<Entry> entries) { this.entries = List.copyOf(entries); }

    List<Entry> entries() { return entries; }

    /** Parses a fatbinary image; the message says where and why a malformed one is rejected. */
    static Fatbin parse(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length < 16 || b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not a CUDA fatbinary: expected magic 0xBA55ED50 in the first 4 of "
                    + image.length + " bytes");
        }
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long end = headerSize + b.getLong(8);
        if (end > image.length) {
            throw new IllegalArgumentException("fatbinary declares " + end + " bytes but has " + image.length);
        }
        List<Entry> list = new ArrayList<>();
        long at = headerSize;
        while (at < end) {
            int pos = Math.toIntExact(at);
            if (pos + 48 > end) throw new IllegalArgumentException("truncated fatbinary entry header at byte " + pos);
            int kind = Short.toUnsignedInt(b.getShort(pos));
            long entryHeader = Integer.toUnsignedLong(b.getInt(pos + 4));
            long size = b.getLong(pos + 8);
            int arch = b.getInt(pos + 28);
            long flags = b.getLong(pos + 40);
            long payloadStart = at + entryHeader;
            if (entryHeader < 48 || payloadStart + size > end) {
                throw new IllegalArgumentException("fatbinary entry at byte " + pos + " overruns the image (header "
                        + entryHeader + ", payload " + size + ")");
            }
            byte[] payload = new byte[Math.toIntExact(size)];
            System.arraycopy(image, Math.toIntExact(payloadStart), payload, 0, payload.length);
            list.add(new Entry(kind, arch, (flags & FLAG_COMPRESSED) != 0, payload));
            at = payloadStart + size;
        }
        return new Fatbin(list);
    }

    /** The packaged kernels, or null when the resource is not on the class path. */
    static byte[] readPackaged() {
        try (InputStream in = Fatbin.class.getResourceAsStream(RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resourcePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why the build packaged no kernels, as {@code "cuda: the kernels were not built (<recorded reason>)"}, or null when
     * it recorded no skip. An empty marker still yields a reason, naming the marker.
     */
    static String notBuiltReason() {
        try (InputStream in = Fatbin.class.getResourceAsStream(SKIPPED_MARKER)) {
            if (in == null) return null;
            String why = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
            return "cuda: the kernels were not built ("
                    + (why.isEmpty() ? "the build left an empty " + SKIPPED_MARKER : why) + ")";
        } catch (IOException e) {
            return "cuda: the kernels were not built (" + SKIPPED_MARKER + " is unreadable: " + e.getMessage() + ")";
        }
    }

    static String resourcePath() { return Fatbin.class.getPackageName().replace('.', '/') + "/" + RESOURCE; }

    /** Architectures with machine code (sm_XY as XY). */
    Set<Integer> sassArchs() {
        Set<Integer> s = new TreeSet<>();
        for (Entry e : entries) if (e.isElf()) s.add(e.arch());
        return s;
    }

    /** Virtual architectures with PTX (compute_XY as XY). */
    Set<Integer> ptxArchs() {
        Set<Integer> s = new TreeSet<>();
        for (Entry e : entries) if (e.isPtx()) s.add(e.arch());
        return s;
    }

    /**
     * Whether a device of compute capability major.minor can load this module: machine code for the same major
     * version and a minor version not above the device's (sm_80 runs on 8.6), or PTX for an architecture not above
     * the device's (JIT-compiled by the driver).
     */
    boolean runsOn(int major, int minor) {
        int cc = major * 10 + minor;
        for (int a : sassArchs()) if (a / 10 == major && a % 10 <= minor) return true;
        for (int a : ptxArchs()) if (a <= cc) return true;
        return false;
    }

    /** e.g. "sm_80, sm_90, compute_90 (PTX)". */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (int a : sassArchs()) sb.append(sb.length() == 0 ? "" : ", ").append("sm_").append(a);
        for (int a : ptxArchs()) sb.append(sb.length() == 0 ? "" : ", ").append("compute_").append(a).append(" (PTX)");
        return sb.toString();
    }

    private static final Pattern PTX_ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_$][\\w$]*)");

    static Set<String> ptxEntries(String ptx) {
        Set<String> names = new TreeSet<>();
        Matcher m = PTX_ENTRY.matcher(ptx);
        while (m.find()) names.add(m.group(1));
        return names;
    }
}
