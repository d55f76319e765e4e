package dev.convkit.train;

import dev.convkit.io.HostTensor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * What a checkpoint's tensor file says it holds, in its safetensors metadata: the model's name, a fingerprint of the
 * architecture (sha256 over the parameter names and shapes, in order; optimizer slots and live weights excluded, so
 * the same model trained with another optimizer or without a moving average has the same fingerprint), the epochs completed and the optimizer steps. A loader
 * compares it with the sidecar and with the tensors actually in the file, so a tensor file of one model next to the
 * sidecar of another is refused by name, not loaded as whichever the file happens to be.
 *
 * <p>Files written before these keys existed carry none of them; {@link #read} then returns null and the loader
 * relies on the sidecar's hashes alone.
 */
record CheckpointIdentity(String model, String fingerprint, int epochsCompleted, long optimizerSteps) {
    static final String META_MODEL = "convkit.model";
    static final String META_FINGERPRINT = "convkit.architecture_sha256";
    static final String META_EPOCH = "convkit.epochs_completed";
    static final String META_STEP = "convkit.optimizer_steps";

    static CheckpointIdentity of(Checkpoint c) {
        return new CheckpointIdentity(c.modelName(), fingerprint(c.parameters()), c.progress().epochsCompleted(), c.progress().optimizerSteps());
    }

    void writeTo(Map<String, String> metadata) {
        metadata.put(META_MODEL, model);
        metadata.put(META_FINGERPRINT, fingerprint);
        metadata.put(META_EPOCH, Integer.toString(epochsCompleted));
        metadata.put(META_STEP, Long.toString(optimizerSteps));
    }

    /** The identity recorded in {@code metadata}, or null when the file predates it; malformed values throw. */
    static CheckpointIdentity read(Map<String, String> metadata, String file) {
        String model = metadata.get(META_MODEL);
        if (model == null) return null;
        String fp = metadata.get(META_FINGERPRINT), epoch = metadata.get(META_EPOCH), step = metadata.get(META_STEP);
        try {
            if (fp == null || epoch == null || step == null) throw new NumberFormatException("missing");
            return new CheckpointIdentity(model, fp, Integer.parseInt(epoch), Long.parseLong(step));
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + " is corrupt: its metadata names model '" + model + "' but its " + META_FINGERPRINT + " ("
                    + fp + "), " + META_EPOCH + " (" + epoch + ") and " + META_STEP + " (" + step + ") are not all present and numeric");
        }
    }

    /**
     * sha256 over "name:d0xd1x...;" of every parameter in order (slots, stored under {@code optimizer/}, and live
     * weights, under {@code live/}, excluded).
     */
    static String fingerprint(Map<String, HostTensor> tensors) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
        }
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            if (e.getKey().startsWith(Checkpoint.SLOT_PREFIX) || e.getKey().startsWith(Checkpoint.LIVE_PREFIX)) continue;
            StringBuilder sb = new StringBuilder(e.getKey()).append(':');
            int[] dims = e.getValue().shape().dims();
            for (int i = 0; i < dims.length; i++) sb.append(i == 0 ? "" : "x").append(dims[i]);
            md.update(sb.append(';').toString().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    String describe() { return "model '" + model + "' after " + epochsCompleted + (epochsCompleted == 1 ? " epoch" : " epochs"); }
}
