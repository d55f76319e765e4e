package dev.convkit.data;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link DatasetLocator} needs to find or fetch a data set: its folder name, the files of each split, and where
 * to download them. The standard ones are in {@link DatasetSpecs}.
 *
 * <p>File names are the official ones. Each may also be present compressed or uncompressed: a name ending in
 * {@code .gz} is also accepted without it, and any other name also with {@code .gz} appended.
 *
 * @param name           the data set name used by {@link Datasets#load}, e.g. "cifar10"
 * @param folder         its sub-folder under each search root, e.g. "cifar-10"
 * @param trainFiles     files the train split needs, in reading order
 * @param testFiles      files the test split needs
 * @param optionalFiles  used when present (class names), never required
 * @param archiveFolders sub-folders the official archive extracts into (e.g. "cifar-10-batches-bin"), also searched
 * @param systemFolders  extra folders holding the files directly (e.g. a Debian package's install folder)
 * @param sources        where the files can be downloaded from
 */
public record DatasetSpec(String name, String folder, List<String> trainFiles, List<String> testFiles, List<String> optionalFiles,
                          List<String> archiveFolders, List<Path> systemFolders, List<RemoteSource> sources) {

    public DatasetSpec {
        trainFiles = List.copyOf(trainFiles);
        testFiles = List.copyOf(testFiles);
        optionalFiles = List.copyOf(optionalFiles);
        archiveFolders = List.copyOf(archiveFolders);
        systemFolders = List.copyOf(systemFolders);
        sources = List.copyOf(sources);
    }

    /** The files {@code split} needs. */
    public List<String> files(Split split) { return split == Split.TRAIN ? trainFiles : testFiles; }

    /** The same data set with other download sources (tests point them at a local server). */
    public DatasetSpec withSources(List<RemoteSource> newSources) {
        return new DatasetSpec(name, folder, trainFiles, testFiles, optionalFiles, archiveFolders, systemFolders, newSources);
    }

    /** The same data set without system folders (so a test does not depend on what the machine has installed). */
    public DatasetSpec withoutSystemFolders() {
        return new DatasetSpec(name, folder, trainFiles, testFiles, optionalFiles, archiveFolders, List.of(), sources);
    }
}
