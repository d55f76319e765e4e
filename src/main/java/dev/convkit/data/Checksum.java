package dev.convkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * An expected digest of a file. {@code ofDecompressed} means the digest is of the gunzipped content, which stays the
 * same whichever gzip encoder produced the file (MNIST's mirrors and Debian's Fashion-MNIST differ in their .gz bytes).
 *
 * @param algorithm a {@link MessageDigest} name: "SHA-256" or "MD5"
 * @param hex       lower-case hex digest
 */
public record Checksum(String algorithm, String hex, boolean ofDecompressed) {

    public Checksum {
        hex = hex.toLowerCase(Locale.ROOT);
        try {
            MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unknown digest algorithm " + algorithm, e);
        }
    }

    public static Checksum sha256(String hex) { return new Checksum("SHA-256", hex, false); }

    public static Checksum sha256OfDecompressed(String hex) { return new Checksum("SHA-256", hex, true); }

    public static Checksum md5(String hex) { return new Checksum("MD5", hex, false); }

    /** The digest of {@code file} as this checksum defines it (gunzipping first when {@code ofDecompressed}). */
    public String compute(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // checked in the constructor
        }
        try (InputStream in = ofDecompressed ? DataFiles.open(file) : Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) digest.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Throws a {@link DatasetException} naming {@code file}, both digests and {@code origin} when they differ. */
    public void verify(Path file, String origin) throws IOException {
        String actual = compute(file);
        if (!actual.equals(hex)) {
            throw new DatasetException("checksum mismatch for " + file + " (from " + origin + "): expected " + this + ", got " + actual
                    + ". The file is corrupt or not the expected one.");
        }
    }

    @Override public String toString() {
        return algorithm.toLowerCase(Locale.ROOT).replace("-", "") + (ofDecompressed ? " of the decompressed content " : " ") + hex;
    }
}
