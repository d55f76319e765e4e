package dev.convkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Finds the folder that holds a data set's files, downloading them when no folder does.
 *
 * <p>Search order ({@link #standard}): the explicit {@code --data-dir}, {@code $CONVKIT_DATA},
 * {@code ~/.convkit/datasets}, the working directory's {@code ./data}, then any extra roots (tests add
 * {@code ../shared/data}) and last the spec's system folders (Debian's {@code /usr/share/datasets/fashion-mnist}).
 * Under each root the data set lives in its own sub-folder ({@code mnist/}, {@code fashion-mnist/},
 * {@code cifar-10/}, {@code cifar-100/}), or in the folder its official archive extracts to inside that sub-folder
 * ({@code cifar-10/cifar-10-batches-bin/}); an explicit data dir may also be the data set folder itself. The first
 * folder that has every file of the split wins: files are never mixed across folders.
 *
 * <p>When no folder qualifies and downloading is enabled, the files are fetched into
 * {@code <downloadRoot>/<sub-folder>} and verified. If the servers cannot be reached (any connection failure, after a
 * short timeout) the {@link DatasetException} lists the exact files needed and every folder searched.
 */
public final class DatasetLocator {
    private final List<Path> roots;       // searched in order, each as root/<folder>
    private final Path explicitDir;       // may also be the data set folder itself; null when none
    private final Path downloadRoot;      // where downloads go, as downloadRoot/<folder>
    private final Downloader downloader;  // null: never download

    public DatasetLocator(Path explicitDir, List<Path> roots, Path downloadRoot, Downloader downloader) {
        this.explicitDir = explicitDir;
        this.roots = List.copyOf(roots);
        this.downloadRoot = downloadRoot;
        this.downloader = downloader;
    }

    /** The standard search order described above; downloads go to ~/.convkit/datasets. */
    public static DatasetLocator standard(Path explicitDir) {
        List<Path> roots = new ArrayList<>();
        String env = System.getenv("CONVKIT_DATA");
        if (env != null && !env.isBlank()) roots.add(Path.of(env));
        Path home = defaultDownloadRoot();
        roots.add(home);
        roots.add(Path.of("data"));
        return new DatasetLocator(explicitDir, roots, home, Downloader.standard());
    }

    /** {@code ~/.convkit/datasets}. */
    public static Path defaultDownloadRoot() { return Path.of(System.getProperty("user.home"), ".convkit", "datasets"); }

    /** This locator with one more search root after the others (tests add ../shared/data). */
    public DatasetLocator withRoot(Path extraRoot) {
        List<Path> more = new ArrayList<>(roots);
        more.add(extraRoot);
        return new DatasetLocator(explicitDir, more, downloadRoot, downloader);
    }

    /** This locator without downloading: missing files fail at once with the list of what to put where. */
    public DatasetLocator offline() { return new DatasetLocator(explicitDir, roots, downloadRoot, null); }

    /** Every folder searched for {@code spec}, in order, absolute and without duplicates. */
    public List<Path> candidateFolders(DatasetSpec spec) {
        Set<Path> out = new LinkedHashSet<>();
        if (explicitDir != null) {
            out.add(abs(explicitDir));
            for (String a : spec.archiveFolders()) out.add(abs(explicitDir.resolve(a)));
        }
        List<Path> all = new ArrayList<>();
        if (explicitDir != null) all.add(explicitDir);
        all.addAll(roots);
        for (Path root : all) {
            out.add(abs(root.resolve(spec.folder())));
            for (String a : spec.archiveFolders()) out.add(abs(root.resolve(spec.folder()).resolve(a)));
        }
        for (Path p : spec.systemFolders()) out.add(abs(p));
        return new ArrayList<>(out);
    }

    /** The folder holding every file {@code split} needs, downloading into the download root if none does. */
    public Path locate(DatasetSpec spec, Split split) {
        List<Path> searched = candidateFolders(spec);
        for (Path folder : searched) if (hasAll(folder, spec.files(split))) return folder;
        if (downloader == null) throw notFound(spec, split, searched, List.of());
        Path target = abs(downloadRoot.resolve(spec.folder()));
        boolean existed = Files.isDirectory(target);
        List<String> failures = download(spec, split, target);
        if (!failures.isEmpty() && !existed) removeIfEmpty(target); // an offline attempt leaves nothing behind
        if (failures.isEmpty() && hasAll(target, spec.files(split))) return target;
        throw notFound(spec, split, searched, failures.isEmpty()
                ? List.of("the downloads did not provide " + missing(target, spec.files(split))) : failures);
    }

    /**
     * The existing variant of {@code name} in {@code folder}: the name itself, or the name with ".gz" removed (if it has
     * it) or appended (if not); null when none exists.
     */
    public static Path resolveFile(Path folder, String name) {
        Path exact = folder.resolve(name);
        if (Files.isRegularFile(exact)) return exact;
        Path other = folder.resolve(name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name + ".gz");
        return Files.isRegularFile(other) ? other : null;
    }

    private static boolean hasAll(Path folder, List<String> files) {
        if (!Files.isDirectory(folder)) return false;
        for (String f : files) if (resolveFile(folder, f) == null) return false;
        return true;
    }

    private static List<String> missing(Path folder, List<String> files) {
        List<String> out = new ArrayList<>();
        for (String f : files) if (!Files.isDirectory(folder) || resolveFile(folder, f) == null) out.add(f);
        return out;
    }

    /** Downloads every source that provides a file missing from {@code target}; returns failure descriptions. */
    private List<String> download(DatasetSpec spec, Split split, Path target) {
        List<String> failures = new ArrayList<>();
        Set<String> needed = new HashSet<>(missing(target, spec.files(split)));
        for (RemoteSource source : spec.sources()) {
            if (source.provides().stream().noneMatch(needed::contains)) continue;
            try {
                Files.createDirectories(target);
            } catch (IOException e) {
                throw new DatasetException("cannot create the download folder " + target + " for data set '" + spec.name() + "': " + e, e);
            }
            String failure = fetch(source, target);
            if (failure != null) {
                failures.add(failure);
                break; // offline or unreachable: the other files would fail the same way
            }
        }
        return failures;
    }

    /** Tries each mirror; returns null on success or a description of why every mirror failed. */
    private String fetch(RemoteSource source, Path target) {
        List<String> tries = new ArrayList<>();
        for (URI url : source.urls()) {
            Path file = target.resolve(source.fileName());
            try {
                downloader.download(url, file, source.checksum());
                if (source.tarGz()) extractArchive(file, target, source);
                return null;
            } catch (IOException e) {
                tries.add(url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + " " + e.getMessage()));
            }
        }
        return "could not download " + source.fileName() + " (" + String.join("; ", tries) + ")";
    }

    private static void extractArchive(Path archive, Path target, RemoteSource source) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
            Set<String> got = TarExtractor.extract(in, target, new HashSet<>(source.provides()), archive.toString());
            List<String> absent = new ArrayList<>(source.provides());
            absent.removeAll(got);
            if (!absent.isEmpty()) {
                throw new DatasetException("archive " + archive + " (checksum verified) lacks the members " + absent
                        + "; expected the official archive layout");
            }
        }
        Files.delete(archive); // the extracted files are what is used; the archive would double the disk use
    }

    private DatasetException notFound(DatasetSpec spec, Split split, List<Path> searched, List<String> failures) {
        StringBuilder sb = new StringBuilder();
        sb.append("data set '").append(spec.name()).append("' (").append(split.lower()).append(" split) was not found. It needs the files ")
                .append(String.join(", ", spec.files(split)))
                .append(" (each may also be stored with or without .gz) together in one folder. Searched: ");
        for (int i = 0; i < searched.size(); i++) {
            Path folder = searched.get(i);
            if (i > 0) sb.append("; ");
            sb.append(folder).append(Files.isDirectory(folder) ? " (missing " + String.join(", ", missing(folder, spec.files(split))) + ")"
                    : " (no such folder)");
        }
        sb.append('.');
        if (!failures.isEmpty()) {
            sb.append(" Downloading failed, the machine is probably offline: ").append(String.join("; ", failures)).append('.');
        } else {
            sb.append(" Downloading is disabled.");
        }
        sb.append(" Copy the files into one of the folders above (for example ")
                .append(abs(downloadRoot.resolve(spec.folder()))).append("), set CONVKIT_DATA to the folder that holds them, or name it: --data-dir on the command line, the dataDir argument "
                        + "of Datasets.load or DatasetLocator.standard in Java.");
        return new DatasetException(sb.toString());
    }

    private static void removeIfEmpty(Path folder) {
        try (java.util.stream.Stream<Path> entries = Files.list(folder)) {
            if (entries.findAny().isEmpty()) Files.delete(folder);
        } catch (IOException e) {
            // best effort: an empty folder left behind does no harm and the download failure is what gets reported
        }
    }

    private static Path abs(Path p) { return p.toAbsolutePath().normalize(); }
}
