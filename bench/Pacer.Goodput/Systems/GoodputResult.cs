using System.Text.Json;
using System.Text.Json.Serialization;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Workloads;
using Pacer.Simulator;

namespace Pacer.Goodput.Systems;

/// <summary>What one system achieved on the workload, from the callers' timings and the simulator's attempt log.</summary>
internal sealed record GoodputResult
{
    public required int Number { get; init; }

    public required string System { get; init; }

    public required int Requests { get; init; }

    public required int Succeeded { get; init; }

    public required int Failed { get; init; }

    /// <summary>Gets the failures by what the caller saw, most frequent first.</summary>
    public required IReadOnlyDictionary<string, int> Failures { get; init; }

    /// <summary>Gets the attempts the upstream received.</summary>
    public required int Attempts { get; init; }

    /// <summary>Gets the 429 responses the upstream sent.</summary>
    public required int Upstream429 { get; init; }

    /// <summary>Gets the 429s by the limit the upstream said was hit (requests, input_tokens, output_tokens).</summary>
    public required IReadOnlyDictionary<string, int> Upstream429ByLimit { get; init; }

    /// <summary>Gets how many distinct requests met at least one 429 upstream.</summary>
    public required int RequestsMeeting429 { get; init; }

    public required double MakespanSeconds { get; init; }

    /// <summary>
    /// Gets the ideal this run is measured against: the workload replayed against the upstream's buckets with the service
    /// times the upstream drew in this run (<see cref="DrawnServiceTimes"/>), or the closed form if larger.
    /// </summary>
    public required double IdealSeconds { get; init; }

    /// <summary>Gets the ideal of the workload at the latency model's mean service times, the same for every system; null when not computed.</summary>
    public double? WorkloadIdealSeconds { get; init; }

    public double MakespanRatio => MakespanSeconds / IdealSeconds;

    /// <summary>Gets the median latency of the requests that succeeded, from call to answer read, in milliseconds.</summary>
    public required double P50Ms { get; init; }

    /// <summary>Gets the 99th percentile of the same.</summary>
    public required double P99Ms { get; init; }

    /// <summary>Gets the output tokens of the answers the upstream completed.</summary>
    public required long OutputTokensServed { get; init; }

    /// <summary>Gets a value indicating whether the run was cut by its time bound.</summary>
    public required bool BoundReached { get; init; }

    [JsonIgnore]
    public double ShareMeeting429 => Requests == 0 ? 0 : RequestsMeeting429 / (double)Requests;

    /// <summary>Gets a value indicating whether Pacer's targets hold: at most 1.05 × ideal, at most 1 % of requests meet a 429, none fails.</summary>
    public bool MeetsTargets => MakespanRatio <= 1.05 && ShareMeeting429 <= 0.01 && Failed == 0;

    public static GoodputResult From(SystemUnderTest system, RunRecord run, IReadOnlyList<SimulatorAttempt> attempts, IdealBreakdown ideal)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(attempts);
        ArgumentNullException.ThrowIfNull(ideal);
        var messages = attempts.Where(a => a.Path == "/v1/messages").ToList();
        var limited = messages.Where(a => a.Status == 429).ToList();
        var failed = run.Requests.Where(r => !r.Outcome.Succeeded).ToList();
        var latencies = LatencySummary.Of(run.Requests.Where(r => r.Outcome.Succeeded).Select(r => r.Latency.TotalMilliseconds).ToList());
        return new GoodputResult
        {
            Number = system.Number,
            System = system.Name,
            Requests = run.Requests.Count,
            Succeeded = run.Requests.Count - failed.Count,
            Failed = failed.Count,
            Failures = failed.GroupBy(r => r.Outcome.Error ?? "unknown").OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()),
            Attempts = messages.Count,
            Upstream429 = limited.Count,
            Upstream429ByLimit = limited.GroupBy(a => a.LimitHit ?? "unknown").OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()),
            RequestsMeeting429 = limited.Select(a => a.Headers.GetValueOrDefault(RequestTag.HeaderName) ?? a.RequestId).Distinct().Count(),
            MakespanSeconds = run.Makespan.TotalSeconds,
            IdealSeconds = ideal.Ideal.TotalSeconds,
            P50Ms = latencies.P50,
            P99Ms = latencies.P99,
            OutputTokensServed = messages.Where(a => a.Status == 200).Sum(a => a.OutputTokens),
            BoundReached = run.BoundReached,
        };
    }

    public string ToJsonLine() => JsonSerializer.Serialize(this, Reporting.JsonLine.Options);
}
