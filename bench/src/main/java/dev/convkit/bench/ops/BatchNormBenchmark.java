package dev.convkit.bench.ops;

import dev.convkit.backend.Backend;
import dev.convkit.bench.shapes.BnormShape;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Training-mode batch normalisation, forward (batch statistics, running-statistics update) or backward (data,
 * gamma and beta gradients), Keras's eps 1e-3 and momentum 0.99. Shapes are lines of models/shapes/bnorm_*.txt.
 * Memory-bound: ResultsReport shows GB/s over the activation tensors it must touch (2 forward, 3 backward).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BatchNormBenchmark extends EngineBenchmark {
    @Param({"fwd", "bwd"})
    public String dir;

    @Param({
        "mb128ic16ih32n\"resnet20v1:stem/bn x7\"",
        "mb128ic32ih16n\"resnet20v1:stage2/block1/bn1 x6\"",
        "mb128ic64ih8n\"resnet20v1:stage3/block1/bn1 x6\""})
    public String shape;

    private OpFixture timed;

    @Setup(Level.Trial)
    public void setUp() {
        BnormShape s = BnormShape.parse(shape);
        Backend b = openEngine();
        float eps = 1e-3f;
        TensorSpec src = OpFixture.activation(b, s.src());   // in the layout a training step hands BN
        OpFixture forward = own(new OpFixture(b, new BatchNormTrain(eps, 0.99f),
                List.of(src, s.channels(), s.channels(), s.channels(), s.channels()), null, 1));
        forward.run();
        timed = switch (dir) {
            case "fwd" -> forward;
            case "bwd" -> own(new OpFixture(b, new BatchNormBwd(eps),
                    List.of(src, src, s.channels(), s.channels(), s.channels()), forward, 2));
            default -> throw new IllegalArgumentException("dir '" + dir + "' must be fwd or bwd");
        };
    }

    @Benchmark
    public void run() { timed.run(); }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception { closeAll(); }
}
