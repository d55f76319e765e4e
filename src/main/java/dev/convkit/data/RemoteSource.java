package dev.convkit.data;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a data set's files can be downloaded from: one file (tried at each mirror in order) that is either a data
 * file itself or a {@code .tar.gz} archive whose members with the names in {@code provides} are extracted.
 *
 * @param urls     mirrors, tried in order
 * @param fileName the name the download is saved under
 * @param checksum what the downloaded file must hash to
 * @param tarGz    the download is a gzip-compressed tar archive
 * @param provides the data set file names this source yields (the file itself, or the archive members to extract)
 */
public record RemoteSource(List<URI> urls, String fileName, Checksum checksum, boolean tarGz, List<String> provides) {

    public RemoteSource {
        if (urls.isEmpty()) throw new IllegalArgumentException("a remote source needs at least one URL");
        urls = List.copyOf(urls);
        provides = List.copyOf(provides);
    }

    /** A single data file found at {@code baseUrl + fileName} for each base URL (each ending in '/'). */
    public static RemoteSource file(String fileName, Checksum checksum, String... baseUrls) {
        List<URI> urls = new ArrayList<>();
        for (String base : baseUrls) urls.add(URI.create(base + fileName));
        return new RemoteSource(urls, fileName, checksum, false, List.of(fileName));
    }

    /** A .tar.gz archive whose members named in {@code members} (base names) are extracted. */
    public static RemoteSource tarGz(String url, Checksum checksum, List<String> members) {
        URI uri = URI.create(url);
        String path = uri.getPath();
        return new RemoteSource(List.of(uri), path.substring(path.lastIndexOf('/') + 1), checksum, true, members);
    }
}
