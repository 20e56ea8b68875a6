namespace Pacer.Simulator.Options;

/// <summary>Latency model: time to first token, then tokens at a steady rate, both with jitter.</summary>
public sealed class LatencyOptions
{
    /// <summary>False answers at once (zero latency, for overhead benchmarks). <value>The default is true.</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Mean time to first token in milliseconds. <value>The default is 400.</value></summary>
    public int TimeToFirstTokenMs { get; set; } = 400;

    /// <summary>Mean generation speed in tokens per second. <value>The default is 80.</value></summary>
    public double TokensPerSecond { get; set; } = 80;

    /// <summary>Relative jitter: each delay is scaled by a factor drawn in [1 − j, 1 + j]. <value>The default is 0.2.</value></summary>
    public double Jitter { get; set; } = 0.2;
}
