package dev.convkit.cli;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Backends;
import dev.convkit.graph.Precision;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** The engine options shared by fit, evaluate and predict (a picocli mixin). */
final class EngineOptions {
    @Option(names = "--engine", defaultValue = "auto", paramLabel = "NAME",
            description = "auto, cpu or cuda (default: ${DEFAULT-VALUE}). auto takes the available engine of highest priority and says why the others were not chosen.")
    String engine;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "CPU threads of the cpu engine; 0 = all cores (default).")
    int threads;

    @Option(names = "--precision", paramLabel = "NAME",
            description = "fp32 or bf16 (default: fp32 for fit, the run's own for evaluate and predict): bf16 computes and stores activations in bfloat16 with f32 weights, gradients and loss (Keras's mixed_bfloat16); the cpu engine needs a CPU with native bf16 (AVX512-BF16, AVX2-VNNI-2 or AMX). Checkpoints are the same under both.")
    String precision;

    @Option(names = "--deterministic", description = "Only algorithms whose results do not vary between runs (cuDNN).")
    boolean deterministic;

    /**
     * The precision policy: the flag, else {@code fallback} (a recipe's or a run's), else fp32.
     *
     * @throws CliException for fp16 and unknown names, naming the valid ones
     */
    Precision precision(String fallback) {
        String name = precision != null ? precision : fallback != null ? fallback : "fp32";
        try {
            return Precision.of(name);
        } catch (IllegalArgumentException e) {
            throw CliException.usage((precision != null ? "--precision: " : "") + e.getMessage());
        }
    }

    /**
     * Checks the options and chooses the engine without opening it or printing anything, so that a bad
     * {@code --threads} or an unavailable {@code --engine} fails before any folder is made or data is read.
     */
    Backends.Choice choose() {
        String name = Choices.engine(engine);
        if (threads < 0) throw CliException.usage("--threads must be 0 (all cores) or positive, got " + threads);
        try {
            return Backends.choose(name, options());
        } catch (IllegalStateException e) {
            throw new CliException(e.getMessage() + (name.equals("auto") ? "" : "; try --engine auto"));
        }
    }

    /** Opens the chosen engine, printing the choice and why every other engine was not chosen. */
    Backend open(PrintWriter out, Backends.Choice choice) {
        out.println(choice.explain());
        out.flush();
        return openQuietly(choice);
    }

    /** Opens the chosen engine with these options and prints nothing (the caller shows {@link Backends.Choice#explain()}). */
    Backend openQuietly(Backends.Choice choice) {
        return choice.provider().open(options());
    }

    private BackendOptions options() { return BackendOptions.defaults().withThreads(threads).withDeterministic(deterministic); }

    /** {@link #choose} then {@link #open(PrintWriter, Backends.Choice)}. */
    Backend open(PrintWriter out) { return open(out, choose()); }
}
