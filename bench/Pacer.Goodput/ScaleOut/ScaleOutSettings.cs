using Pacer.Goodput.Systems;
using Pacer.Goodput.Workloads;

namespace Pacer.Goodput.ScaleOut;

/// <summary>
/// How the scale-out benchmark runs: the goodput benchmark's upstream, latency and workload, the account's concurrency
/// given to every gateway, the lease time on Redis, and when a gateway is killed in the last configuration.
/// </summary>
internal sealed record ScaleOutSettings
{
    /// <summary>The concurrency given to the gateways unless an option says otherwise.</summary>
    public const int DefaultConcurrency = 10;

    /// <summary>The full run: the goodput benchmark's full workload (500 requests, 64 callers), the default lease (10 s).</summary>
    public static ScaleOutSettings Full { get; } = new();

    /// <summary>The smoke run: 120 requests from 16 callers, a 3 s lease so that the kill's figures fit in the short run.</summary>
    public static ScaleOutSettings Quick { get; } = new() { Goodput = new GoodputSettings { Workload = WorkloadSpec.Quick }, LeaseSeconds = 3 };

    /// <summary>Gets the upstream's limits and latency and the workload, as the goodput benchmark sets them (600 RPM, 100k ITPM, 20k OTPM, 5 s burst).</summary>
    public GoodputSettings Goodput { get; init; } = new();

    /// <summary>Gets how many gateways share the account in the shared and unshared configurations.</summary>
    public int Gateways { get; init; } = 3;

    /// <summary>Gets <c>ANTHROPIC_CONCURRENT_REQUESTS</c> of every gateway: the account's concurrency, which the upstream must never see exceeded.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Gets <c>PACER_REDIS_LEASE_SECONDS</c>, or null for the gateway's default (10 s).</summary>
    public int? LeaseSeconds { get; init; }

    /// <summary>Gets when the kill comes, as a share of the ideal makespan from the run's start.</summary>
    public double KillAt { get; init; } = 0.4;

    /// <summary>Gets the lease time the gateways run with.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds ?? 10);
}
