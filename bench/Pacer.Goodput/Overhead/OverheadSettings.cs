namespace Pacer.Goodput.Overhead;

/// <summary>
/// How the overhead benchmark loads each target. The gateway runs with extended ranges and limits far above any load, so
/// the limiter never makes a request wait and what is measured is the proxy path. The paced phase measures the added
/// latency at a light load; the saturated phase offers as much as the connections can carry (the capacity).
/// </summary>
internal sealed record OverheadSettings
{
    public static OverheadSettings Full { get; } = new();

    public static OverheadSettings Quick { get; } = new()
    {
        Rounds = 1,
        Paced = new LoadShape(Connections: 4, RatePerSecond: 15, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)),
        Saturated = new LoadShape(Connections: 16, RatePerSecond: null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)),
        Loaded = new LoadShape(Connections: 16, RatePerSecond: 1000, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)),
    };

    /// <summary>Gets how many times the three targets take turns in the paced phase (interleaved, to spread the machine's noise).</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Gets the paced load: 4 connections, 15 requests per second in all.</summary>
    public LoadShape Paced { get; init; } = new(Connections: 4, RatePerSecond: 15, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20));

    /// <summary>
    /// Gets the load that measures CPU capacity: 16 connections at 1000 requests per second in all, 18,000 in its 18 s,
    /// far below the gateway's <c>MaxRequestsPerMinute</c> (100,000 in any 60 s with extended ranges), so that the
    /// limiter never queues and the CPU per request of the gateway and the forwarder compare like for like.
    /// </summary>
    public LoadShape Loaded { get; init; } = new(Connections: 16, RatePerSecond: 1000, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15));

    /// <summary>
    /// Gets the saturating load: 16 connections as fast as answers come. The gateway is not held to 1,667 a second:
    /// <c>MaxRequestsPerMinute</c> is a sliding 60 s window, not a rate, and the pacing bursts as far as the
    /// upstream's shown requests bucket allows (the simulator's is huge), so the 18 s phase (warm-up included) may
    /// pass up to 100,000 requests, more than 5,500 a second, before the window binds. What it measures is the
    /// gateway's speed.
    /// </summary>
    public LoadShape Saturated { get; init; } = new(Connections: 16, RatePerSecond: null, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15));

    /// <summary>
    /// Gets the gateway's engine settings: extended ranges (<c>PACER_EXTENDED_RANGES=true</c>) with limits far above any
    /// load here, so that the limiter never binds and what is measured, paced and saturated, is the proxy path.
    /// </summary>
    public IReadOnlyDictionary<string, string> GatewaySettings { get; init; } = new Dictionary<string, string>
    {
        ["PACER_EXTENDED_RANGES"] = "true",
        ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "100000",
        ["ANTHROPIC_CONCURRENT_REQUESTS"] = "10000",
        ["PACER_BURST"] = "100",
        ["PACER_LEARN_LIMITS"] = "true",
    };

    /// <summary>Gets the simulator's flags: zero latency and limits far above any load here.</summary>
    public IReadOnlyList<string> SimulatorArguments { get; init; } =
        ["--port", "0", "--zero-latency", "--rpm", "100000000", "--itpm", "100000000", "--otpm", "100000000", "--mean-output-tokens", "16"];
}
