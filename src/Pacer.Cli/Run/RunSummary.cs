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
    /// The time the limits need for this work at their full rate: per model class, the largest of requests ÷ RPM, input
    /// tokens ÷ ITPM and output tokens ÷ OTPM (learned from the headers); and every request ÷ the operator's RPM.
    /// </summary>
    internal static TimeSpan? Ideal(RunStats stats, List<ModelTotals> models, Limiter limiter)
    {
        var buckets = limiter.Snapshot().UpstreamBuckets;
        var minutes = (double)stats.Finished / limiter.Options.MaxRequestsPerMinute;
        var learned = false;
        foreach (var group in models.GroupBy(m => limiter.ModelClasses.ClassOf(m.Model)))
        {
            if (buckets.FirstOrDefault(b => b.ModelClass == group.Key) is not { } bucket)
            {
                continue;
            }

            learned = true;
            minutes = Math.Max(minutes, Over(group.Sum(m => m.Requests), bucket.Requests.Limit));
            minutes = Math.Max(minutes, Over(group.Sum(m => m.InputTokens + m.CacheCreationTokens), bucket.InputTokens.Limit));
            minutes = Math.Max(minutes, Over(group.Sum(m => m.OutputTokens), bucket.OutputTokens.Limit));
        }

        return learned ? TimeSpan.FromMinutes(minutes) : null;
    }

    private static double Over(long work, long? perMinute) => perMinute is > 0 ? (double)work / perMinute.Value : 0;

    private static TableColumn Right(string name) => new TableColumn(name).RightAligned();
}
