package dev.convkit.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The four data sets ConvKit knows: file names, folders, official download addresses and checksums.
 *
 * <p>Checksums: MNIST and Fashion-MNIST files are verified by the sha256 of their decompressed IDX content, which is
 * the same for every correct copy whatever gzip settings produced the .gz (values as recorded in data/mnist/README.md
 * and for Fashion-MNIST from the IDX content of Debian's dataset-fashion-mnist package). The CIFAR archives are
 * verified by the md5 their authors publish for the binary-version tarballs.
 */
public final class DatasetSpecs {
    private DatasetSpecs() {}

    private static final String MNIST_OFFICIAL = "http://yann.lecun.com/exdb/mnist/";
    private static final String MNIST_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/";
    private static final String FASHION_OFFICIAL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    public static final DatasetSpec MNIST = idx("mnist", "mnist", List.of(), new String[] {
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"}, MNIST_OFFICIAL, MNIST_MIRROR);

    public static final DatasetSpec FASHION_MNIST = idx("fashion_mnist", "fashion-mnist",
            List.of(Path.of("/usr/share/datasets/fashion-mnist")), new String[] {
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"}, FASHION_OFFICIAL);

    public static final List<String> CIFAR10_TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");

    public static final DatasetSpec CIFAR10 = new DatasetSpec("cifar10", "cifar-10", CIFAR10_TRAIN_FILES, List.of("test_batch.bin"),
            List.of("batches.meta.txt"), List.of("cifar-10-batches-bin"), List.of(),
            List.of(RemoteSource.tarGz("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                    Checksum.md5("c32a1d4ab5d03f1284b67883e8d87530"),
                    concat(CIFAR10_TRAIN_FILES, List.of("test_batch.bin", "batches.meta.txt")))));

    public static final DatasetSpec CIFAR100 = new DatasetSpec("cifar100", "cifar-100", List.of("train.bin"), List.of("test.bin"),
            List.of("fine_label_names.txt", "coarse_label_names.txt"), List.of("cifar-100-binary"), List.of(),
            List.of(RemoteSource.tarGz("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
                    Checksum.md5("03b5dce01913d631647c71ecec9e9cb8"),
                    List.of("train.bin", "test.bin", "fine_label_names.txt", "coarse_label_names.txt"))));

    /** In the order {@link Datasets#NAMES} lists them. */
    public static final List<DatasetSpec> ALL = List.of(MNIST, FASHION_MNIST, CIFAR10, CIFAR100);

    /** The spec called {@code name}; an unknown name is an error listing the valid ones. */
    public static DatasetSpec byName(String name) {
        for (DatasetSpec s : ALL) if (s.name().equals(name)) return s;
        throw new DatasetException("unknown data set '" + name + "'; valid names are " + String.join(", ", Datasets.NAMES));
    }

    static final List<String> CIFAR10_CLASSES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    static final List<String> FASHION_CLASSES =
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** IDX data sets share file names; {@code sha} is train images, train labels, test images, test labels. */
    private static DatasetSpec idx(String name, String folder, List<Path> systemFolders, String[] sha, String... baseUrls) {
        String[] files = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
        List<RemoteSource> sources = new ArrayList<>();
        for (int i = 0; i < files.length; i++) sources.add(RemoteSource.file(files[i], Checksum.sha256OfDecompressed(sha[i]), baseUrls));
        return new DatasetSpec(name, folder, List.of(files[0], files[1]), List.of(files[2], files[3]), List.of(), List.of(),
                systemFolders, sources);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
