package dev.convkit.bench.steps;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Images processed, as a JMH secondary metric normalised by time: in a throughput run it reads directly as
 * images/s (the primary metric is steps/s).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ImagesCounter {
    public long images;

    @Setup(Level.Iteration)
    public void reset() { images = 0; }
}
