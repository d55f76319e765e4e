package dev.convkit.train;

/** The identity schedule: the rate starts at the optimizer's base rate and only callbacks change it. */
final class ConstantSchedule implements LearningRateSchedule {
    static final ConstantSchedule INSTANCE = new ConstantSchedule();

    private ConstantSchedule() {}

    @Override public boolean perStep() { return false; }

    @Override public double rate(double base, double current, Position at) { return current; }

    @Override public String toString() { return "constant"; }
}
