package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Determinism, batching, preprocessing and thread ownership of the input pipeline, on a small synthetic data set. */
class BatchPipelineTest {

    /** 50 images of 3 x 8 x 8; image n has every value (n + 1) / 64 plus a small position pattern; label n % 10. */
    private static Dataset synthetic(int n) {
        int per = 3 * 8 * 8;
        float[] images = new float[n * per];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            for (int j = 0; j < per; j++) images[i * per + j] = (i + 1) / 64f + (j % 8) / 1024f;
        }
        return new Dataset("synthetic", Split.TRAIN, images, labels, 3, 8, 8, 10, Dataset.numberedNames(10));
    }

    private static List<Batch> epoch(Dataset d, PipelineOptions o, int epoch) {
        try (BatchPipeline p = new BatchPipeline(d, o); BatchIterator it = p.epoch(epoch)) {
            List<Batch> out = new ArrayList<>();
            while (it.hasNext()) out.add(it.next());
            return out;
        }
    }

    @Test
    void sameSeedGivesIdenticalBatchesWhateverTheWorkerCount() {
        Dataset d = synthetic(50);
        PipelineOptions o = PipelineOptions.training(8, 1234).withAugmentation(new Augmentation(0.1, 0.1, true, 2));
        List<Batch> a = epoch(d, o.withWorkers(1).withPrefetch(1), 3);
        List<Batch> b = epoch(d, o.withWorkers(2).withPrefetch(4), 3);
        assertEquals(7, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).images(), b.get(i).images(), "batch " + i);
            assertArrayEquals(a.get(i).labels(), b.get(i).labels(), "batch " + i);
            assertArrayEquals(a.get(i).sourceRows(), b.get(i).sourceRows(), "batch " + i);
            assertEquals(i, a.get(i).index());
            assertEquals(3, a.get(i).epoch());
        }
    }

    @Test
    void differentSeedsAndDifferentEpochsGiveDifferentOrders() {
        Dataset d = synthetic(50);
        PipelineOptions o = PipelineOptions.training(10, 1);
        int[] e0 = rows(epoch(d, o, 0));
        assertFalse(Arrays.equals(e0, rows(epoch(d, o.withSeed(2), 0))), "another seed, another order");
        assertFalse(Arrays.equals(e0, rows(epoch(d, o, 1))), "another epoch, another order");
        assertArrayEquals(e0, rows(epoch(d, o, 0)), "the same epoch replays");
        int[] sorted = e0.clone();
        Arrays.sort(sorted);
        int[] all = new int[50];
        Arrays.setAll(all, i -> i);
        assertArrayEquals(all, sorted, "an epoch visits every row exactly once");
        int[] unshuffled = rows(epoch(d, o.withShuffle(false), 0));
        assertArrayEquals(all, unshuffled);
    }

    @Test
    void batchesCarryTheRowsImagesLabelsAndOneHot() {
        Dataset d = synthetic(50);
        List<Batch> batches = epoch(d, PipelineOptions.training(16, 9).withOneHot(true), 0);
        Batch first = batches.get(0);
        assertEquals(Shape.of(16, 3, 8, 8), first.shape());
        for (int i = 0; i < first.size(); i++) {
            int row = first.sourceRows()[i];
            assertArrayEquals(Arrays.copyOfRange(d.images(), row * 192, row * 192 + 192), Arrays.copyOfRange(first.images(), i * 192, i * 192 + 192));
            assertEquals(row % 10, first.labels()[i]);
            for (int k = 0; k < 10; k++) assertEquals(k == row % 10 ? 1f : 0f, first.oneHot()[i * 10 + k]);
        }
        assertNull(epoch(d, PipelineOptions.training(16, 9), 0).get(0).oneHot());
    }

    @Test
    void labelSmoothingSoftensTheOneHotRows() {
        Dataset d = synthetic(50);
        Batch b = epoch(d, PipelineOptions.training(16, 9).withLabelSmoothing(0.1), 0).get(0);
        for (int i = 0; i < b.size(); i++) {
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                float v = b.oneHot()[i * 10 + k];
                assertEquals(k == (int) b.labels()[i] ? 0.91f : 0.01f, v, 1e-7f);
                sum += v;
            }
            assertEquals(1.0, sum, 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> PipelineOptions.training(16, 9).withLabelSmoothing(1.0));
    }

    @Test
    void lastPartialBatchIsKeptOrDropped() {
        Dataset d = synthetic(50);
        List<Batch> kept = epoch(d, PipelineOptions.evaluation(16), 0);
        assertEquals(4, kept.size());
        assertEquals(List.of(16, 16, 16, 2), kept.stream().map(Batch::size).toList());
        List<Batch> dropped = epoch(d, PipelineOptions.evaluation(16).withDropLast(true), 0);
        assertEquals(List.of(16, 16, 16), dropped.stream().map(Batch::size).toList());
        try (BatchPipeline p = new BatchPipeline(d, PipelineOptions.evaluation(64).withDropLast(true))) {
            assertEquals(0, p.batchesPerEpoch());
            try (BatchIterator it = p.epoch(0)) {
                assertFalse(it.hasNext());
            }
        }
    }

    @Test
    void pixelMeanNormalisationSubtractsTheTrainingMeanImage() {
        Dataset train = synthetic(50);
        Normalizer n = Normalizer.pixelMean(train);
        // mean over n of (n + 1) / 64 = 25.5 / 64, plus the position pattern of the value
        float[] mean = n.offset();
        assertEquals(25.5f / 64 + 3 / 1024f, mean[3], 1e-6f);
        Batch b = epoch(train, PipelineOptions.evaluation(50).withNormalizer(n), 0).get(0);
        for (int i = 0; i < 50; i++) assertEquals((i + 1) / 64f - 25.5f / 64, b.images()[i * 192 + 3], 1e-6f);
        double sum = 0;
        for (int i = 0; i < 50; i++) sum += b.images()[i * 192 + 100];
        assertEquals(0, sum, 1e-5, "normalised training data has zero mean at every position");
    }

    @Test
    void perChannelNormalisationGivesZeroMeanUnitVariance() {
        Dataset train = synthetic(50);
        Batch b = epoch(train, PipelineOptions.evaluation(50).withNormalizer(Normalizer.perChannel(train)), 0).get(0);
        for (int c = 0; c < 3; c++) {
            double s = 0, s2 = 0;
            for (int i = 0; i < 50; i++) {
                for (int j = 0; j < 64; j++) {
                    double v = b.images()[i * 192 + c * 64 + j];
                    s += v;
                    s2 += v * v;
                }
            }
            assertEquals(0, s / 3200, 1e-5);
            assertEquals(1, s2 / 3200, 1e-4);
        }
        assertEquals("per_channel", Normalizer.perChannel(train).kind());
    }

    @Test
    void closeStopsAndJoinsTheWorkerThreads() {
        Dataset d = synthetic(50);
        BatchPipeline p = new BatchPipeline(d, PipelineOptions.training(4, 3).withWorkers(2).withPrefetch(4));
        BatchIterator it = p.epoch(0);
        it.next(); // some batches are now prepared ahead, some possibly in progress
        assertTrue(p.liveThreads().size() >= 1);
        assertTrue(p.liveThreads().stream().allMatch(t -> t.getName().startsWith(p.threadPrefix()) && t.isDaemon()));
        p.close();
        assertEquals(List.of(), p.liveThreads());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith(p.threadPrefix())));
        assertThrows(IllegalStateException.class, () -> p.epoch(1));
        p.close(); // idempotent
    }

    @Test
    void anIteratorClosedEarlyLeavesThePipelineUsable() {
        Dataset d = synthetic(50);
        try (BatchPipeline p = new BatchPipeline(d, PipelineOptions.training(4, 3))) {
            try (BatchIterator it = p.epoch(0)) {
                it.next();
            }
            try (BatchIterator it = p.epoch(1)) {
                int n = 0;
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
                assertEquals(13, n);
                assertThrows(java.util.NoSuchElementException.class, it::next);
            }
        }
    }

    @Test
    void augmentationChangesImagesButNotLabelsAndDiffersPerEpoch() {
        Dataset d = synthetic(50);
        PipelineOptions o = PipelineOptions.training(50, 5).withAugmentation(Augmentation.padCropAndFlip(2));
        Batch e0 = epoch(d, o, 0).get(0);
        Batch e1 = epoch(d, o, 1).get(0);
        Batch plain = epoch(d, o.withAugmentation(Augmentation.NONE), 0).get(0);
        assertArrayEquals(plain.sourceRows(), e0.sourceRows(), "augmentation does not change the order");
        assertFalse(Arrays.equals(plain.images(), e0.images()));
        assertFalse(Arrays.equals(e0.images(), rowsAligned(e1, e0)));
        assertEquals(Shape.of(50, 3, 8, 8), e0.shape());
    }

    /** e1's images rearranged into e0's row order, so a difference is the augmentation, not the order. */
    private static float[] rowsAligned(Batch e1, Batch e0) {
        float[] out = new float[e1.images().length];
        for (int i = 0; i < e0.size(); i++) {
            int row = e0.sourceRows()[i];
            int j = 0;
            while (e1.sourceRows()[j] != row) j++;
            System.arraycopy(e1.images(), j * 192, out, i * 192, 192);
        }
        return out;
    }

    private static int[] rows(List<Batch> batches) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(b.sourceRows())).toArray();
    }
}
