package dev.convkit.bench.steps;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One inference forward per invocation (moving BN statistics, no dropout), softmax probabilities read back.
 * Primary metric steps/s; secondary {@code images}: images/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InferenceStepBenchmark extends StepBenchmark {
    @Setup(Level.Trial)
    public void setUp() { open("infer"); }

    @Benchmark
    public float[] step(ImagesCounter counter) {
        counter.images += batch;
        return rig.inferStep();
    }

    @TearDown(Level.Trial)
    public void tearDown() { close("infer"); }
}
