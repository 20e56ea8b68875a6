using System.Globalization;
using Pacer.Limiting;

namespace Pacer.Cli.Run;

/// <summary>One reading of the run's progress, for the live display and the plain lines.</summary>
internal sealed record RunProgress
{
    public required long Total { get; init; }

    public required long Succeeded { get; init; }

    public required long Errored { get; init; }

    public required int InFlight { get; init; }

    public required int Waiting { get; init; }

    public required int RequestsLastMinute { get; init; }

    /// <summary>Gets the input tokens (input and cache writes, as the limit counts them) per minute, over the last minute.</summary>
    public required double InputPerMinute { get; init; }

    public required double OutputPerMinute { get; init; }

    /// <summary>Gets the requests-per-minute limit in force: the learned one when smaller than the operator's.</summary>
    public required long RequestLimit { get; init; }

    public required long? InputTokenLimit { get; init; }

    public required long? OutputTokenLimit { get; init; }

    public required long RateLimited { get; init; }

    public required long Retries { get; init; }

    public required decimal Cost { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required TimeSpan? Left { get; init; }

    public long Finished => Succeeded + Errored;

    public static RunProgress Read(RunStats stats, Limiter limiter, TimeSpan elapsed)
    {
        var snapshot = limiter.Snapshot();
        var (resultsPerMinute, inputPerMinute, outputPerMinute) = stats.Pace(elapsed);
        long requestLimit = limiter.Options.MaxRequestsPerMinute;
        long? input = null;
        long? output = null;
        foreach (var bucket in snapshot.UpstreamBuckets)
        {
            requestLimit = Math.Min(requestLimit, bucket.Requests.Limit ?? requestLimit);
            input = Smaller(input, bucket.InputTokens.Limit);
            output = Smaller(output, bucket.OutputTokens.Limit);
        }

        var left = stats.ToSend - stats.Finished;
        return new RunProgress
        {
            Total = stats.ToSend,
            Succeeded = stats.Succeeded,
            Errored = stats.Errored,
            InFlight = snapshot.CurrentRequests,
            Waiting = snapshot.QueuedRequests,
            RequestsLastMinute = snapshot.RequestsInLastMinute,
            InputPerMinute = inputPerMinute,
            OutputPerMinute = outputPerMinute,
            RequestLimit = requestLimit,
            InputTokenLimit = input,
            OutputTokenLimit = output,
            RateLimited = snapshot.Totals.RateLimited,
            Retries = snapshot.Totals.Retries,
            Cost = stats.Cost,
            Elapsed = elapsed,
            Left = resultsPerMinute > 0 && left >= 0 ? TimeSpan.FromMinutes(left / resultsPerMinute) : null,
        };
    }

    /// <summary>The line written every few seconds when the output is not a terminal.</summary>
    public string PlainLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"pacer: {Finished}/{Total} done ({Succeeded} succeeded, {Errored} failed), {InFlight} in flight, {Waiting} waiting; "
        + $"{RequestsLastMinute} req/min (limit {RequestLimit}), {Tokens()}; "
        + $"429s absorbed {RateLimited}, retries {Retries}; cost ${Cost:0.0000}; elapsed {Duration(Elapsed)}, left {(Left is { } l ? "~" + Duration(l) : "?")}");

    /// <summary>The token pace against the learned limits: <c>input 400k/min (limit 450k), output 70k/min (limit 90k)</c>.</summary>
    public string Tokens() => string.Create(
        CultureInfo.InvariantCulture,
        $"input {Count(InputPerMinute)}/min (limit {Count(InputTokenLimit)}), output {Count(OutputPerMinute)}/min (limit {Count(OutputTokenLimit)})");

    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes:00}:{span.Seconds:00}");

    public static string Count(double? value) => value switch
    {
        null => "?",
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1_000_000:0.##}M"),
        >= 10_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1000:0.#}k"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value:0}"),
    };

    private static long? Smaller(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
