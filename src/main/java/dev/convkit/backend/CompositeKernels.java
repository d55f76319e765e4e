package dev.convkit.backend;

import dev.convkit.ops.Composite;
import dev.convkit.ops.Op;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An engine's dedicated kernels for composite ops, by record class: the one list an engine keeps of the composites it
 * claims. {@link #claims} answers {@link Backend#fuses}, and {@link #compile} is the engine visitor's
 * {@code decomposed} case, so claiming a composite and implementing it are one line. {@code C} is the engine's
 * compile context, {@code R} what its compiler returns.
 */
public final class CompositeKernels<C, R> {

    /** A dedicated kernel of the composite record {@code T}. */
    @FunctionalInterface
    public interface Impl<C, T extends Composite, R> {
        R compile(C context, T op);
    }

    private final Map<Class<? extends Composite>, Impl<C, Composite, R>> byType = new LinkedHashMap<>();

    /** Adds the kernel of {@code type}; returns this table. */
    public <T extends Composite> CompositeKernels<C, R> with(Class<T> type, Impl<C, T, R> impl) {
        if (byType.containsKey(type)) throw new IllegalArgumentException(type.getSimpleName() + " has a kernel already");
        byType.put(type, (context, op) -> impl.compile(context, type.cast(op)));
        return this;
    }

    /** Whether this table has a kernel for {@code op}'s record class. */
    public boolean claims(Op op) { return op instanceof Composite && byType.containsKey(op.getClass()); }

    /** The composite record classes this table has kernels for. */
    public Set<Class<? extends Composite>> types() { return Set.copyOf(byType.keySet()); }

    /** The dedicated kernel of {@code op}; {@code unclaimed}'s exception when this table has none. */
    public R compile(C context, Composite op, Supplier<? extends RuntimeException> unclaimed) {
        Impl<C, Composite, R> impl = byType.get(op.getClass());
        if (impl == null) throw unclaimed.get();
        return impl.compile(context, op);
    }
}
