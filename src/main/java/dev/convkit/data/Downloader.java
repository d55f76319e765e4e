package dev.convkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;

/**
 * Downloads one file over HTTP(S) with a console progress bar, verifies its checksum and only then moves it into
 * place, so a target file is always complete and verified. Unreachable servers surface as {@link IOException}
 * (the caller treats that as "offline"); a wrong checksum is a {@link DatasetException} and the download is deleted.
 */
public final class Downloader {
    private final HttpClient client;
    private final Duration requestTimeout;
    private final PrintStream progress; // null: silent

    /**
     * @param connectTimeout how long to wait for a connection before calling the server unreachable
     * @param progress       where the progress bar goes (carriage-return updates), or null for none
     */
    public Downloader(Duration connectTimeout, PrintStream progress) {
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.requestTimeout = connectTimeout.multipliedBy(3);
        this.progress = progress;
    }

    /** 10-second connect timeout, progress on standard error. */
    public static Downloader standard() { return new Downloader(Duration.ofSeconds(10), System.err); }

    /**
     * Fetches {@code url} into {@code target} (via {@code target.part}) and verifies {@code checksum}.
     *
     * @return the number of bytes downloaded
     * @throws IOException      when the server cannot be reached, answers other than 200, or the transfer breaks
     * @throws DatasetException when the downloaded bytes do not match the checksum (nothing is left behind)
     */
    public long download(URI url, Path target, Checksum checksum) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(requestTimeout).header("User-Agent", "convkit").GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + url + " interrupted");
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("server answered HTTP " + response.statusCode() + " for " + url);
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long bytes;
            try (OutputStream out = Files.newOutputStream(part)) {
                bytes = copyWithProgress(body, out, total, target.getFileName().toString());
            }
            if (total >= 0 && bytes != total) {
                throw new IOException("download of " + url + " ended after " + bytes + " of " + total + " bytes");
            }
            checksum.verify(part, url.toString());
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return bytes;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private long copyWithProgress(InputStream in, OutputStream out, long total, String label) throws IOException {
        byte[] buf = new byte[1 << 16];
        long done = 0;
        long lastPrint = 0;
        int lastPercent = -1;
        for (int r; (r = in.read(buf)) > 0; ) {
            out.write(buf, 0, r);
            done += r;
            long now = System.nanoTime();
            int percent = total > 0 ? (int) (100 * done / total) : -1;
            if (percent != lastPercent || now - lastPrint > 250_000_000L) {
                printBar(label, done, total);
                lastPrint = now;
                lastPercent = percent;
            }
        }
        printBar(label, done, total);
        if (progress != null) progress.println();
        return done;
    }

    private void printBar(String label, long done, long total) {
        if (progress == null) return;
        progress.print("\r" + bar(label, done, total));
        progress.flush();
    }

    /** One line of the progress display, e.g. {@code downloading x.gz [##########----------]  50%  4.9 / 9.9 MB}. */
    static String bar(String label, long done, long total) {
        String mb = String.format(Locale.ROOT, "%.1f", done / 1e6);
        if (total <= 0) return "downloading " + label + "  " + mb + " MB";
        int width = 30;
        int filled = (int) (width * Math.min(done, total) / total);
        return "downloading " + label + " [" + "#".repeat(filled) + "-".repeat(width - filled) + "] "
                + String.format(Locale.ROOT, "%3d%%  %s / %.1f MB", 100 * Math.min(done, total) / total, mb, total / 1e6);
    }
}
