package dev.convkit.train;

import dev.convkit.data.Augmentation;
import dev.convkit.data.BatchPipeline;
import dev.convkit.data.PipelineOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a checkpoint records of the training pipeline. The pipeline derives epoch e's order and augmentation from
 * (seed, e) alone, so its whole random state is the seed; the other fields must also match on resume because they
 * change which records form each batch.
 */
final class DataState {
    private DataState() {}

    static Map<String, Object> of(BatchPipeline p) {
        PipelineOptions o = p.options();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", p.dataset().toString());
        m.put("records", p.dataset().size());
        m.put("seed", o.seed());
        m.put("batch_size", o.batchSize());
        m.put("shuffle", o.shuffle());
        m.put("drop_last", o.dropLast());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("width_shift", o.augmentation().widthShift());
        a.put("height_shift", o.augmentation().heightShift());
        a.put("horizontal_flip", o.augmentation().horizontalFlip());
        a.put("pad_crop", (long) o.augmentation().padCrop());
        if (o.augmentation().cutout() > 0) a.put("cutout", (long) o.augmentation().cutout());   // absent in runs from before it
        m.put("augmentation", a);
        return m;
    }

    /** Fails, naming the first differing field, when the pipeline of a resumed run would give other batches. */
    static void requireSame(Map<String, Object> saved, Map<String, Object> now) {
        for (String k : new String[] {"records", "seed", "batch_size", "shuffle", "drop_last", "augmentation"}) {
            Object a = normal(saved.get(k)), b = normal(now.get(k));
            if (a instanceof String && b instanceof Map<?, ?> aug) b = legacyText(aug);    // format 1 kept the record's toString
            if (!Objects.equals(a, b)) {
                throw new CheckpointException("cannot resume: the checkpoint's training data had " + k + " = " + a + " but this run's pipeline has "
                        + b + " (data " + now.get("dataset") + "); build the pipeline with the checkpoint's settings "
                        + saved + " so the next epochs see the batches they would have seen");
            }
        }
    }

    private static Object normal(Object v) {
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> m = new LinkedHashMap<>();
            map.forEach((k, x) -> m.put(k, normal(x)));
            return m;
        }
        return v instanceof Number n && !(v instanceof Double) ? (Object) Long.valueOf(n.longValue()) : v;
    }

    /**
     * The augmentation as checkpoint format 1 wrote it, the record text of its four components then; a cutout, which
     * no such run had, is appended so that it never matches.
     */
    private static String legacyText(Map<?, ?> a) {
        return "Augmentation[widthShift=" + ((Number) a.get("width_shift")).doubleValue() + ", heightShift="
                + ((Number) a.get("height_shift")).doubleValue() + ", horizontalFlip=" + a.get("horizontal_flip") + ", padCrop="
                + ((Number) a.get("pad_crop")).intValue() + "]" + (a.containsKey("cutout") ? " with cutout " + a.get("cutout") : "");
    }
}
