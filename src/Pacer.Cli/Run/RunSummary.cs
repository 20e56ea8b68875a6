using System.Globalization;
using Pacer.Limiting;
using Spectre.Console;

namespace Pacer.Cli.Run;

/// <summary>The table written at the end of a run: results by type, tokens and cost by model, wall time against the ideal.</summary>
internal static class RunSummary
{
    public static void Write(IAnsiConsole console, RunStats stats, InputCheck check, Limiter limiter, TimeSpan wall, bool interrupted)
    {
        var inv = CultureInfo.InvariantCulture;
        var results = new Table().Title("Results").AddColumn("result").AddColumn(new TableColumn("count").RightAligned());
        results.AddRow("succeeded", stats.Succeeded.ToString(inv));
        results.AddRow("errored", stats.Errored.ToString(inv));
        foreach (var (type, count) in stats.ErrorsByType.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            results.AddRow(Markup.Escape($"  {type}"), count.ToString(inv));
        }

        var notSent = stats.ToSend - stats.Finished;
        if (notSent > 0 || interrupted)
        {
            results.AddRow("not sent (interrupted; the next run sends them)", notSent.ToString(inv));
        }

        if (check.BadLines > 0)
        {
            results.AddRow("skipped: invalid lines", check.BadLines.ToString(inv));
        }

        if (check.AlreadyAnswered > 0)
        {
            results.AddRow("skipped: already in the results file", check.AlreadyAnswered.ToString(inv));
        }

        console.Write(results);

        var models = stats.Models();
        if (models.Count > 0)
        {
            var table = new Table().Title("Tokens and cost by model (standard prices)")
                .AddColumn("model").AddColumn(Right("requests")).AddColumn(Right("input")).AddColumn(Right("output"))
                .AddColumn(Right("cache write")).AddColumn(Right("cache read")).AddColumn(Right("cost (USD)"));
            foreach (var m in models)
            {
                table.AddRow(
                    Markup.Escape(m.Model), m.Requests.ToString(inv), m.InputTokens.ToString(inv), m.OutputTokens.ToString(inv),
                    m.CacheCreationTokens.ToString(inv), m.CacheReadTokens.ToString(inv), m.Cost is { } cost ? cost.ToString("0.0000", inv) : "no price");
            }

            table.AddRow("[bold]total[/]", models.Sum(m => m.Requests).ToString(inv), models.Sum(m => m.InputTokens).ToString(inv), models.Sum(m => m.OutputTokens).ToString(inv),
                models.Sum(m => m.CacheCreationTokens).ToString(inv), models.Sum(m => m.CacheReadTokens).ToString(inv), stats.Cost.ToString("0.0000", inv));
            console.Write(table);
        }

        var ideal = Ideal(stats, models, limiter);
        var time = new Table().Title("Time").AddColumn("").AddColumn(Right(""));
        time.HideHeaders();
        time.AddRow("wall time", RunProgress.Duration(wall) + string.Create(inv, $" ({wall.TotalSeconds:0.0} s)"));
        time.AddRow("ideal time at the learned limits", ideal is { } i ? RunProgress.Duration(i) + string.Create(inv, $" ({i.TotalSeconds:0.0} s)") : "unknown (nothing learned)");
        if (ideal is { TotalSeconds: > 0 } known)
        {
            time.AddRow("wall / ideal", string.Create(inv, $"{wall / known:0.00}"));
        }

        var totals = limiter.Snapshot().Totals;
        time.AddRow("429s absorbed", totals.RateLimited.ToString(inv));
        time.AddRow("retries", totals.Retries.ToString(inv));
        console.Write(time);
    }

    /// <summary>
    /// The shortest time in which the limits let this work finish, as the goodput benchmark counts it
    /// (<c>docs/BENCHMARKS.md</c>, "The ideal makespan"): each limit is a bucket that starts full (capacity: a minute's
    /// worth for the learned limits, as the API documents; <c>Burst</c> for the operator's pacing) and refills at its
    /// limit per minute, so handing out D units takes at least <c>max(0, (D − capacity) / rate)</c>; the last request
    /// then still needs the mean service time. The work itself needs at least its total service time over the
    /// concurrency limit. Learned limits are per model class; the operator's requests per minute covers all of them.
    /// </summary>
    internal static TimeSpan? Ideal(RunStats stats, List<ModelTotals> models, Limiter limiter)
    {
        var buckets = limiter.Snapshot().UpstreamBuckets;
        var policy = limiter.Options;
        var seconds = Seconds(stats.Finished, policy.MaxRequestsPerMinute, policy.Burst);
        var learned = false;
        foreach (var group in models.GroupBy(m => limiter.ModelClasses.ClassOf(m.Model)))
        {
            if (buckets.FirstOrDefault(b => b.ModelClass == group.Key) is not { } bucket)
            {
                continue;
            }

            learned = true;
            seconds = Math.Max(seconds, Seconds(group.Sum(m => m.Requests), bucket.Requests.Limit));
            seconds = Math.Max(seconds, Seconds(group.Sum(m => m.InputTokens + m.CacheCreationTokens), bucket.InputTokens.Limit));
            seconds = Math.Max(seconds, Seconds(group.Sum(m => m.OutputTokens), bucket.OutputTokens.Limit));
        }

        var admission = TimeSpan.FromSeconds(seconds) + stats.MeanService;
        var concurrency = stats.TotalService / policy.MaxConcurrentRequests;
        return learned ? (admission > concurrency ? admission : concurrency) : null;
    }

    /// <summary>When a full bucket of <paramref name="perMinute"/> (capacity a minute's worth unless given) can have handed out <paramref name="demand"/>.</summary>
    private static double Seconds(long demand, long? perMinute, double? capacity = null) =>
        perMinute is > 0 and var limit ? Math.Max(0, (demand - (capacity ?? limit)) / (limit / 60.0)) : 0;

    private static TableColumn Right(string name) => new TableColumn(name).RightAligned();
}
