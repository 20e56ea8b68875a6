using Pacer.Simulator.Options;

namespace Pacer.Goodput.Soak;

/// <summary>
/// What the soak runs: the seed's highest settings (1,000 requests a minute, 50 at once) through one gateway process
/// against one simulator process that injects faults at random, for <see cref="Duration"/>.
/// </summary>
internal sealed record SoakSettings
{
    /// <summary>The seed's highest rate (<c>maxRequestsPerMinute</c> range 1-1000).</summary>
    public const int RequestsPerMinute = 1000;

    /// <summary>The seed's highest concurrency (<c>maxConcurrentRequests</c> range 1-50).</summary>
    public const int Concurrency = 50;

    /// <summary>10% 529 overloaded, 5% connection resets, 2% streams stalled after 3 events, 1% streams cut after 3 events (one draw per upstream attempt).</summary>
    public const string FaultRates = "529=0.10, reset=0.05, stall:3=0.02, cut:3=0.01";

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets the callers of the closed loop: twice the concurrency, so that the gateway always has a queue (stalled streams hold theirs for the gateway's 60 s idle limit).</summary>
    public int Callers { get; init; } = 100;

    /// <summary>Gets the share of requests sent with <c>"stream": true</c>.</summary>
    public double StreamShare { get; init; } = 0.5;

    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the length of one row of the report's curve.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the bound on one request at the caller: far above the gateway's own limits (stream idle 60 s, retries), so that the gateway answers first.</summary>
    public TimeSpan RequestBound { get; init; } = TimeSpan.FromMinutes(5);

    public int Seed { get; init; } = 15;

    /// <summary>The simulator: generous limits of its own (the gateway's 1,000 RPM binds), short replies, and the faults.</summary>
    public SimulatorOptions SimulatorOptions() => new()
    {
        Seed = Seed,
        AttemptLogCapacity = 1_000_000,
        Limits = new LimitOptions
        {
            RequestsPerMinute = 4 * RequestsPerMinute,
            InputTokensPerMinute = 100_000_000,
            OutputTokensPerMinute = 100_000_000,
            BurstSeconds = 10,
        },
        Latency = new LatencyOptions { Enabled = true, TimeToFirstTokenMs = 300, TokensPerSecond = 200, Jitter = 0.2 },
        Output = new OutputOptions { MeanTokens = 40 },
        Faults = new FaultOptions { Rates = FaultRates, HangMs = 120_000 },
    };

    /// <summary>The gateway as the seed's highest preset runs it, in passthrough mode, every other setting at its default.</summary>
    public static IReadOnlyDictionary<string, string> GatewaySettings() => new Dictionary<string, string>
    {
        ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ANTHROPIC_CONCURRENT_REQUESTS"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
