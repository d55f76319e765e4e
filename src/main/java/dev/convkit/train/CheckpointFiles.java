package dev.convkit.train;

import dev.convkit.io.AtomicFiles;
import dev.convkit.io.HostTensor;
import dev.convkit.io.Json;
import dev.convkit.io.Safetensors;
import dev.convkit.io.SafetensorsException;
import dev.convkit.io.SafetensorsFile;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Writes and reads a {@link Checkpoint} as {@code <name>.safetensors} + {@code <name>.json} in a run folder.
 *
 * <p>Write order: the tensor file first, then the sidecar, each replaced atomically ({@link AtomicFiles}). The sidecar
 * records the tensor file's size and sha256, and the loader checks them. The tensor file also carries, in its
 * safetensors metadata, a copy of the sidecar and the sha256 of its data area, so it verifies itself: if a crash
 * falls between the two writes (new tensors, old sidecar), the loader sees the mismatch and loads the tensor file's
 * own, complete description of the newer checkpoint. Any other disagreement is an error. Either way a crash during a
 * save loses at most the checkpoint being written.
 */
final class CheckpointFiles {
    private CheckpointFiles() {}

    static final String META_SIDECAR = "convkit.checkpoint";
    static final String META_DATA_SHA = "convkit.data_sha256";

    /** Something run between the two writes; tests use it to interrupt a save there. */
    @FunctionalInterface
    interface Step {
        void run() throws IOException;
    }

    static Path tensorFile(Path dir, String name) { return dir.resolve(name + ".safetensors"); }

    static Path sidecarFile(Path dir, String name) { return dir.resolve(name + ".json"); }

    static boolean exists(Path dir, String name) { return Files.isRegularFile(sidecarFile(dir, name)); }

    static void save(Path dir, String name, Checkpoint c) throws IOException { save(dir, name, c, out -> out, () -> { }); }

    /** {@code tensorStream} may wrap the tensor file's stream and {@code between} runs after the tensor write: test seams. */
    static void save(Path dir, String name, Checkpoint c, UnaryOperator<OutputStream> tensorStream, Step between) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> side = c.sidecar();
        Map<String, HostTensor> tensors = c.tensors();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_SIDECAR, Json.write(side));
        meta.put(META_DATA_SHA, dataSha256(tensors));
        CheckpointIdentity.of(c).writeTo(meta);
        MessageDigest fileSha = sha256();
        long[] bytes = {0};
        AtomicFiles.write(tensorFile(dir, name), out -> {
            OutputStream hashing = new FilterOutputStream(tensorStream.apply(out)) {
                @Override public void write(int b) throws IOException {
                    super.out.write(b);
                    fileSha.update((byte) b);
                    bytes[0]++;
                }

                @Override public void write(byte[] b, int off, int len) throws IOException {
                    super.out.write(b, off, len);
                    fileSha.update(b, off, len);
                    bytes[0] += len;
                }
            };
            Safetensors.write(hashing, tensors, meta);
            hashing.flush();
        });
        between.run();
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("file", tensorFile(dir, name).getFileName().toString());
        file.put("bytes", bytes[0]);
        file.put("sha256", HexFormat.of().formatHex(fileSha.digest()));
        side.put("tensors", file);
        AtomicFiles.write(sidecarFile(dir, name), Json.writePretty(side).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads checkpoint {@code name}: the sidecar, then the tensor file, checked against each other and against the
     * identity the tensor file carries ({@link CheckpointIdentity}). A truncated or corrupt tensor file is reported as
     * such, with what to use instead; a corrupt sidecar is bypassed when the tensor file describes itself completely.
     */
    @SuppressWarnings("unchecked")
    static Checkpoint load(Path dir, String name) throws IOException {
        Path sidePath = sidecarFile(dir, name), tensorPath = tensorFile(dir, name);
        if (!Files.isDirectory(dir)) throw new CheckpointException("run folder " + dir + " does not exist");
        if (!Files.isRegularFile(sidePath)) throw new CheckpointException("no checkpoint '" + name + "' in " + dir + ": "
                + sidePath.getFileName() + " is missing (a run folder holds " + Checkpoint.LATEST + ".json and " + Checkpoint.LATEST + ".safetensors)");
        if (!Files.isRegularFile(tensorPath)) throw new CheckpointException("checkpoint '" + name + "' in " + dir + " is incomplete: "
                + sidePath.getFileName() + " exists but " + tensorPath.getFileName() + " is missing" + instead(name));
        Map<String, Object> side = null;
        Map<String, Object> rec = null;
        String sideProblem = null;
        try {
            side = Json.parseObject(Files.readString(sidePath, StandardCharsets.UTF_8));
            if (side.get("tensors") instanceof Map<?, ?> m) rec = (Map<String, Object>) m;
            else sideProblem = "it lacks the \"tensors\" section (file size and sha256)";
        } catch (IllegalArgumentException | IOException e) {
            sideProblem = "it is not valid JSON (" + e.getMessage() + ")";
        }
        String[] actual = fileSha256(tensorPath);               // {hex, bytes}
        long actualBytes = Long.parseLong(actual[1]);
        SafetensorsFile file;
        try {
            file = Safetensors.read(tensorPath);
        } catch (SafetensorsException e) {
            long recorded = rec != null && rec.get("bytes") instanceof Long n ? n : -1;
            if (recorded > actualBytes) {
                throw new CheckpointException(String.format(Locale.ROOT, "%s is truncated: %,d of %,d bytes (the disk filled up or a copy was "
                        + "cut short)%s", tensorPath.getFileName(), actualBytes, recorded, instead(name)), e);
            }
            throw new CheckpointException(tensorPath.getFileName() + " is corrupt: " + e.getMessage() + instead(name), e);
        }
        CheckpointIdentity id = CheckpointIdentity.read(file.metadata(), tensorPath.getFileName().toString());
        if (id != null && !id.fingerprint().equals(CheckpointIdentity.fingerprint(file.tensors()))) {
            throw new CheckpointException(tensorPath.getFileName() + " is corrupt: its parameter names and shapes do not match the architecture "
                    + "fingerprint in its own metadata (" + id.describe() + ")" + instead(name));
        }
        boolean agree = rec != null && actual[0].equals(rec.get("sha256")) && rec.get("bytes") instanceof Long n && actualBytes == n;
        if (agree) {
            Checkpoint c = Checkpoint.fromParts(side, file.tensors(), sidePath);
            if (id != null && (!id.model().equals(c.modelName()) || id.epochsCompleted() != c.progress().epochsCompleted()
                    || id.optimizerSteps() != c.progress().optimizerSteps())) {
                throw new CheckpointException("checkpoint '" + name + "' in " + dir + " is inconsistent: " + sidePath.getFileName() + " describes model '"
                        + c.modelName() + "' after " + c.progress().epochsCompleted() + " epochs (step " + c.progress().optimizerSteps() + ") but "
                        + tensorPath.getFileName() + " says it holds " + id.describe() + " (step " + id.optimizerSteps() + ")" + instead(name));
            }
            return c;
        }
        String embedded = file.metadata().get(META_SIDECAR);
        String dataSha = file.metadata().get(META_DATA_SHA);
        if (embedded != null && dataSha != null && dataSha.equals(dataSha256(file.tensors()))) {
            // The tensor file is complete and describes itself: a save interrupted after it was replaced, or a corrupt sidecar.
            Map<String, Object> ownSide;
            try {
                ownSide = Json.parseObject(embedded);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(tensorPath.getFileName() + " is corrupt: the copy of the sidecar in its metadata ("
                        + META_SIDECAR + ") is not valid JSON (" + e.getMessage() + ")" + instead(name), e);
            }
            Checkpoint own = Checkpoint.fromParts(ownSide, file.tensors(), tensorPath);
            Object sideModel = side != null && side.get("model") instanceof Map<?, ?> m ? m.get("name") : null;
            if (sideModel != null && !sideModel.equals(own.modelName())) {
                throw new CheckpointException("checkpoint '" + name + "' in " + dir + " mixes two models: " + sidePath.getFileName() + " is for model '"
                        + sideModel + "' but " + tensorPath.getFileName() + " holds model '" + own.modelName() + "' (after "
                        + own.progress().epochsCompleted() + " epochs); the tensor file was replaced by another run's file. Put back the file "
                        + "of model '" + sideModel + "'" + instead(name));
            }
            return own;
        }
        if (sideProblem != null) {
            throw new CheckpointException("checkpoint '" + name + "' in " + dir + " cannot be read: " + sidePath.getFileName() + " is unusable ("
                    + sideProblem + ") and " + tensorPath.getFileName() + " carries no complete description of its own" + instead(name));
        }
        throw new CheckpointException("checkpoint '" + name + "' in " + dir + " is inconsistent: " + sidePath.getFileName() + " records "
                + rec.get("bytes") + " bytes with sha256 " + rec.get("sha256") + " for " + tensorPath.getFileName() + ", which has "
                + actual[1] + " bytes with sha256 " + actual[0] + ", and its own data hash does not match either; the tensor file is "
                + "corrupt or was replaced by another file" + instead(name));
    }

    /** What to use when checkpoint {@code name} is unusable. */
    private static String instead(String name) {
        return name.equals(Checkpoint.BEST)
                ? "; use the per-epoch checkpoint (" + Checkpoint.LATEST + ".*, without --best) or a backup of the run folder"
                : "; use the best checkpoint (--best, " + Checkpoint.BEST + ".*) or a backup of the run folder";
    }

    /** sha256 over the tensors' little-endian f32 bytes in order: exactly the safetensors data area. */
    static String dataSha256(Map<String, HostTensor> tensors) {
        MessageDigest md = sha256();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (HostTensor t : tensors.values()) {
            float[] d = t.data();
            for (int i = 0; i < d.length; ) {
                int n = Math.min(d.length - i, chunk.capacity() / 4);
                chunk.clear();
                chunk.asFloatBuffer().put(d, i, n);
                md.update(chunk.array(), 0, n * 4);
                i += n;
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String[] fileSha256(Path p) throws IOException {
        MessageDigest md = sha256();
        long total = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(p)) {
            for (int r; (r = in.read(buf)) >= 0; ) {
                md.update(buf, 0, r);
                total += r;
            }
        }
        return new String[] {HexFormat.of().formatHex(md.digest()), Long.toString(total)};
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
        }
    }
}
