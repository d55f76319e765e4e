package dev.convkit.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For tests in any package: the standard search order plus {@code ../shared/data} (the real data sets beside the
 * checkout), with downloading disabled: a test never fetches data, it skips when the data is absent.
 */
public final class TestDatasets {
    private TestDatasets() {}

    /** Standard order (CONVKIT_DATA, ~/.convkit/datasets, ./data), then ../shared/data, then system folders; offline. */
    public static DatasetLocator locator() {
        return DatasetLocator.standard(null).withRoot(TestFiles.SHARED_DATA).offline();
    }

    /** True when {@code locator()} finds every file of {@code name}'s {@code split}: use with assumeTrue. */
    public static boolean available(String name, Split split) {
        DatasetLocator locator = locator();
        DatasetSpec spec = DatasetSpecs.byName(name);
        for (Path folder : locator.candidateFolders(spec)) {
            if (!Files.isDirectory(folder)) continue;
            if (spec.files(split).stream().allMatch(f -> DatasetLocator.resolveFile(folder, f) != null)) return true;
        }
        return false;
    }
}
