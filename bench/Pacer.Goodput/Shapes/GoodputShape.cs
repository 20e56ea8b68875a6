using System.Globalization;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Systems;
using Pacer.Goodput.Workloads;
using Pacer.Simulator.Options;

namespace Pacer.Goodput.Shapes;

/// <summary>One shape of upstream limit the goodput benchmark runs: a name, what it is, and the settings of its run.</summary>
internal sealed record GoodputShape(string Name, string Description, GoodputSettings Settings)
{
    /// <summary>The most a Pacer system may take on a shape, as a multiple of its ideal.</summary>
    public const double TargetRatio = 1.10;

    /// <summary>The most requests that may meet a 429 on a shape.</summary>
    public const double TargetShareMeeting429 = 0.01;

    /// <summary>
    /// Gets every shape, in the order the command runs them. Each is sized so that its ideal is 15 to 30 seconds, so
    /// that a run of all of them (five systems each) fits in about half an hour.
    /// </summary>
    public static IReadOnlyList<GoodputShape> All { get; } =
    [
        Burst("requests", 2, new LimitSet(600, 400_000, 80_000, 2), requests: 300),
        Burst("requests", 5, new LimitSet(600, 400_000, 80_000, 5), requests: 300),
        Burst("input", 2, new LimitSet(1000, 100_000, 80_000, 2), requests: 200),
        Burst("input", 5, new LimitSet(1000, 100_000, 80_000, 5), requests: 200),
        Burst("output", 2, new LimitSet(1000, 400_000, 30_000, 2), requests: 200, meanOutput: 60),
        Burst("output", 5, new LimitSet(1000, 400_000, 30_000, 5), requests: 200, meanOutput: 60),
        new(
            "whole-minute",
            "every bucket holds a whole minute (600 RPM, 100,000 ITPM, 20,000 OTPM); 500 requests, input-bound",
            new GoodputSettings { Limits = new LimitSet(600, 100_000, 20_000, 60), Workload = WorkloadSpec.Full }),
        new(
            "tiny-output",
            "20,000 output tokens a minute enforced over 2 s (667 tokens), remaining rounded to thousands; 1000 RPM, 400,000 ITPM; 200 requests",
            new GoodputSettings { Limits = new LimitSet(1000, 400_000, 20_000, 2), Workload = Sized(200) }),
        new(
            "produced",
            "600 RPM, 100,000 ITPM, 20,000 OTPM over 5 s, output counted as produced; 250 requests",
            new GoodputSettings { Limits = new LimitSet(600, 100_000, 20_000, 5), Workload = Sized(250) }),
        new(
            "reserve",
            "the same limits, output reserved from max_tokens on arrival (the unused part given back at the end); 250 requests",
            new GoodputSettings { Limits = new LimitSet(600, 100_000, 20_000, 5), Workload = Sized(250), OutputAccounting = OutputAccounting.Reserve }),
        new(
            "above-ranges",
            "4,000 RPM, 2,000,000 ITPM, 400,000 OTPM over 5 s; 1,500 requests from 200 callers; Pacer with PACER_EXTENDED_RANGES=true, 200 concurrent, 100000 RPM (systems 4, 5)",
            new GoodputSettings
            {
                Limits = new LimitSet(4000, 2_000_000, 400_000, 5),
                Workload = new WorkloadSpec { Requests = 1500, Callers = 200 },
                ExtendedRanges = true,
                PacerConcurrency = 200,
                PacerRequestsPerMinute = 100_000,
            }),
    ];

    /// <summary>Gets whether a Pacer system's result meets the shape's targets: at most 1.10 × ideal, at most 1 % of requests meeting a 429, none failed.</summary>
    public static bool Meets(GoodputResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.MakespanRatio <= TargetRatio && result.ShareMeeting429 <= TargetShareMeeting429 && result.Failed == 0 && !result.BoundReached;
    }

    /// <summary>The shapes named in a comma-separated list, in the catalogue's order; throws <see cref="ArgumentException"/> naming an unknown one.</summary>
    public static IReadOnlyList<GoodputShape> Named(string names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var wanted = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (wanted.FirstOrDefault(n => All.All(s => s.Name != n)) is { } unknown)
        {
            throw new ArgumentException($"--shapes: '{unknown}' is not a shape; the shapes are {string.Join(", ", All.Select(s => s.Name))}.");
        }

        return [.. All.Where(s => wanted.Contains(s.Name))];
    }

    private static WorkloadSpec Sized(int requests) => new() { Requests = requests };

    private static GoodputShape Burst(string bound, int seconds, LimitSet limits, int requests, int meanOutput = 30) => new(
        $"burst{seconds}s-{bound}",
        string.Create(CultureInfo.InvariantCulture, $"buckets of {seconds} s of refill, {bound}-bound: {limits.RequestsPerMinute} RPM, {limits.InputTokensPerMinute:N0} ITPM, {limits.OutputTokensPerMinute:N0} OTPM; {requests} requests{(meanOutput == 30 ? string.Empty : $", replies of {meanOutput} tokens on average")}"),
        new GoodputSettings { Limits = limits, Workload = Sized(requests), MeanOutputTokens = meanOutput });
}
