using System.Text.Json;
using System.Text.Json.Serialization;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Workloads;
using Pacer.Simulator;

namespace Pacer.Goodput.ScaleOut;

/// <summary>What one configuration achieved: the callers' outcomes and the upstream's view (429s, requests in flight).</summary>
internal sealed record ScaleOutResult
{
    public required string Configuration { get; init; }

    public required int Gateways { get; init; }

    public required int Requests { get; init; }

    /// <summary>Gets the requests that failed at their callers, those lost with a killed gateway excepted.</summary>
    public required int Failed { get; init; }

    /// <summary>Gets the failures by what the caller saw, most frequent first.</summary>
    public required IReadOnlyDictionary<string, int> Failures { get; init; }

    /// <summary>Gets the requests that failed because the gateway they were sent to was killed (expected).</summary>
    public required int LostWithKilledGateway { get; init; }

    public required int Attempts { get; init; }

    public required int Upstream429 { get; init; }

    /// <summary>Gets how many distinct requests met at least one 429 upstream.</summary>
    public required int RequestsMeeting429 { get; init; }

    public required double MakespanSeconds { get; init; }

    public required double IdealSeconds { get; init; }

    public double MakespanRatio => MakespanSeconds / IdealSeconds;

    /// <summary>Gets the most requests the upstream held open at once.</summary>
    public required int MaxInFlight { get; init; }

    /// <summary>Gets the account's concurrency, given to every gateway.</summary>
    public required int ConcurrencyLimit { get; init; }

    /// <summary>Gets the killed gateway's leases and when they came back, in the configuration with a kill.</summary>
    public LeaseReturn? Kill { get; init; }

    /// <summary>Gets when the kill came, in seconds from the run's start.</summary>
    public double? KillAtSeconds { get; init; }

    [JsonIgnore]
    public double ShareMeeting429 => Requests == 0 ? 0 : RequestsMeeting429 / (double)Requests;

    /// <summary>Gets a value indicating whether issue 11's targets hold: at most 1.10 × ideal, at most 1 % meet a 429, none fails, never more in flight than the concurrency.</summary>
    public bool MeetsTargets => MakespanRatio <= 1.10 && ShareMeeting429 <= 0.01 && Failed == 0 && MaxInFlight <= ConcurrencyLimit;

    public static ScaleOutResult From(string configuration, int gateways, RunRecord run, IReadOnlyList<SimulatorAttempt> attempts, IdealBreakdown ideal, int concurrency, Func<int, bool> lostWithKilled)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(attempts);
        ArgumentNullException.ThrowIfNull(ideal);
        ArgumentNullException.ThrowIfNull(lostWithKilled);
        var messages = attempts.Where(a => a.Path == "/v1/messages").ToList();
        var limited = messages.Where(a => a.Status == 429).ToList();
        var failed = run.Requests.Where(r => !r.Outcome.Succeeded).ToList();
        var lost = failed.Where(r => lostWithKilled(r.Index)).ToList();
        var others = failed.Except(lost).ToList();
        return new ScaleOutResult
        {
            Configuration = configuration,
            Gateways = gateways,
            Requests = run.Requests.Count,
            Failed = others.Count,
            Failures = others.GroupBy(r => r.Outcome.Error ?? "unknown").OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()),
            LostWithKilledGateway = lost.Count,
            Attempts = messages.Count,
            Upstream429 = limited.Count,
            RequestsMeeting429 = limited.Select(a => a.Headers.GetValueOrDefault(RequestTag.HeaderName) ?? a.RequestId).Distinct().Count(),
            MakespanSeconds = run.Makespan.TotalSeconds,
            IdealSeconds = ideal.Ideal.TotalSeconds,
            MaxInFlight = UpstreamConcurrency.Max(messages.Select(a => (a.ArrivedAt, a.CompletedAt))),
            ConcurrencyLimit = concurrency,
        };
    }

    public string ToJsonLine() => JsonSerializer.Serialize(this, Reporting.JsonLine.Options);
}
