namespace Pacer.Goodput.Hostile;

/// <summary>
/// How hard the hostile-clients benchmark pushes: idle connections that never send a byte, slowloris clients that
/// trickle header lines and reconnect when cut, and the length of each measured phase.
/// </summary>
internal sealed record HostileSettings
{
    public static HostileSettings Full { get; } = new();

    public static HostileSettings Quick { get; } = new() { IdleConnections = 1000, SlowClients = 100, Phase = TimeSpan.FromSeconds(6) };

    /// <summary>Gets the connections opened and left idle.</summary>
    public int IdleConnections { get; init; } = 10_000;

    /// <summary>Gets the slowloris clients, each sending one header line every <see cref="TrickleInterval"/>.</summary>
    public int SlowClients { get; init; } = 1000;

    /// <summary>Gets the pause between a slowloris client's header lines.</summary>
    public TimeSpan TrickleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how long the normal clients are measured in each phase.</summary>
    public TimeSpan Phase { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the normal clients' rate, per client (one reusing its connection, one opening a new one each time).</summary>
    public double NormalRatePerSecond { get; init; } = 5;

    /// <summary>Gets the connection limit of the last phase's gateway, below <see cref="IdleConnections"/>, to show what shedding looks like.</summary>
    public int LowConnectionLimit => Math.Max(10, IdleConnections / 2);

    /// <summary>Gets the gateway's engine settings: limits high enough that the normal clients never wait for admission.</summary>
    public IReadOnlyDictionary<string, string> GatewaySettings { get; init; } = new Dictionary<string, string>
    {
        ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "1000",
        ["ANTHROPIC_CONCURRENT_REQUESTS"] = "50",
        ["PACER_BURST"] = "100",
    };

    /// <summary>Gets the simulator's flags: zero latency and limits far above any load here.</summary>
    public IReadOnlyList<string> SimulatorArguments { get; init; } =
        ["--port", "0", "--zero-latency", "--rpm", "100000000", "--itpm", "100000000", "--otpm", "100000000", "--mean-output-tokens", "16"];
}
