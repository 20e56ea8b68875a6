using Pacer.Goodput.Measuring;
using Pacer.Goodput.Workloads;
using Pacer.Simulator.Options;

namespace Pacer.Goodput.Systems;

/// <summary>Everything one goodput run is set to: the upstream's limits and latency, and the workload.</summary>
internal sealed record GoodputSettings
{
    public LimitSet Limits { get; init; } = new(RequestsPerMinute: 600, InputTokensPerMinute: 100_000, OutputTokensPerMinute: 20_000, BurstSeconds: 5);

    public OutputAccounting OutputAccounting { get; init; } = OutputAccounting.Actual;

    /// <summary>Gets what systems 4 and 5 hold against the learned output budget (<c>PACER_OUTPUT_RESERVATION</c>); null keeps Pacer's default.</summary>
    public Pacer.Configuration.OutputReservation? OutputReservation { get; init; }

    /// <summary>Gets the rounding of the token "remaining" headers (the real API rounds to thousands).</summary>
    public int RemainingRounding { get; init; } = 1000;

    public LatencyModel Latency { get; init; } = new(Enabled: true, TimeSpan.FromMilliseconds(400), TokensPerSecond: 80);

    public double LatencyJitter { get; init; } = 0.2;

    /// <summary>Gets the simulator's mean reply length in tokens.</summary>
    public int MeanOutputTokens { get; init; } = 30;

    /// <summary>Gets the share of replies that run to <c>max_tokens</c>.</summary>
    public double MaxTokensRate { get; init; } = 0.02;

    public WorkloadSpec Workload { get; init; } = WorkloadSpec.Full;

    /// <summary>Gets which systems to run (1 to 5), all by default.</summary>
    public IReadOnlySet<int> Systems { get; init; } = new HashSet<int> { 1, 2, 3, 4, 5 };

    public int SimulatorSeed { get; init; } = 1;

    /// <summary>Gets <c>MaxRequestsPerMinute</c> of systems 4 and 5: the top of the seed's range by default.</summary>
    public int PacerRequestsPerMinute { get; init; } = 1000;

    /// <summary>Gets <c>MaxConcurrentRequests</c> of systems 3 to 5: the top of the seed's range by default.</summary>
    public int PacerConcurrency { get; init; } = 50;

    /// <summary>Gets a value indicating whether systems 3 to 5 run with <c>PACER_EXTENDED_RANGES=true</c>.</summary>
    public bool ExtendedRanges { get; init; }

    /// <summary>The simulator as the systems meet it: the limits, the latency model, the reply lengths.</summary>
    public SimulatorOptions SimulatorOptions() => new()
    {
        Seed = SimulatorSeed,
        AttemptLogCapacity = 1_000_000,
        Limits = new LimitOptions
        {
            RequestsPerMinute = Limits.RequestsPerMinute,
            InputTokensPerMinute = Limits.InputTokensPerMinute,
            OutputTokensPerMinute = Limits.OutputTokensPerMinute,
            BurstSeconds = Limits.BurstSeconds,
            OutputAccounting = OutputAccounting,
            RemainingRounding = RemainingRounding,
        },
        Latency = new LatencyOptions
        {
            Enabled = Latency.Enabled,
            TimeToFirstTokenMs = (int)Latency.TimeToFirstToken.TotalMilliseconds,
            TokensPerSecond = Latency.TokensPerSecond,
            Jitter = LatencyJitter,
        },
        Output = new OutputOptions { MeanTokens = MeanOutputTokens, MaxTokensRate = MaxTokensRate },
    };

    /// <summary>The same simulator without limits or latency, to measure what each request costs.</summary>
    public SimulatorOptions UnlimitedSimulatorOptions()
    {
        var options = SimulatorOptions();
        options.Limits.RequestsPerMinute = 100_000_000;
        options.Limits.InputTokensPerMinute = 100_000_000;
        options.Limits.OutputTokensPerMinute = 100_000_000;
        options.Limits.BurstSeconds = 60;
        options.Latency.Enabled = false;
        return options;
    }
}
