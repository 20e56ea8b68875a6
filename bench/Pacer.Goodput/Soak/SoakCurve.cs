using System.Globalization;
using Pacer.Goodput.Reporting;

namespace Pacer.Goodput.Soak;

/// <summary>
/// The gateway's resources over the run: one row per window (mean and maximum of the samples in it) and, per
/// resource, the least-squares slope over every sample after the first window (start-up and warm-up excluded).
/// A resource is flat when the slope, carried over the measured span, moves it by less than its allowance: 10% of
/// its mean, and never less than a floor (16 MiB of memory, 4 threads, 16 handles) that absorbs the noise of a
/// garbage-collected process at rest.
/// </summary>
internal static class SoakCurve
{
    public static string Table(IReadOnlyList<ProcessSample> samples, TimeSpan window)
    {
        var table = new MarkdownTable("minutes", "requests done / min", "working set MiB mean (max)", "GC heap MiB mean (max)", "threads mean (max)", "handles mean (max)");
        foreach (var group in samples.GroupBy(s => (int)(s.At / window)).OrderBy(g => g.Key))
        {
            var rows = group.ToList();
            var from = window * group.Key;
            var to = window * (group.Key + 1);
            var previous = samples.LastOrDefault(s => s.At < rows[0].At);
            var span = rows[^1].At - (previous?.At ?? TimeSpan.Zero);
            var done = rows[^1].Completed - (previous?.Completed ?? 0);
            var heaps = rows.Where(r => r.GcHeapBytes is not null).Select(r => (double)r.GcHeapBytes!.Value).ToList();
            table.Add(
                string.Create(CultureInfo.InvariantCulture, $"{from.TotalMinutes:0}-{Math.Min(to.TotalMinutes, Math.Ceiling(rows[^1].At.TotalMinutes)):0}"),
                span > TimeSpan.Zero ? Format.Number(done / span.TotalMinutes) : "-",
                MeanMax(rows.Select(r => r.WorkingSetBytes / Mebibyte).ToList(), 1),
                heaps.Count > 0 ? MeanMax([.. heaps.Select(h => h / Mebibyte)], 1) : "n/a",
                MeanMax([.. rows.Select(r => (double)r.Threads)], 0),
                MeanMax([.. rows.Select(r => (double)r.Handles)], 0));
        }

        return table.ToString();
    }

    public static IReadOnlyList<Trend> Trends(IReadOnlyList<ProcessSample> samples, TimeSpan window)
    {
        var steady = samples.Where(s => s.At >= window).ToList();
        if (steady.Count < 3)
        {
            // A short run: everything after the first minute.
            steady = [.. samples.Where(s => s.At >= TimeSpan.FromMinutes(1))];
        }

        var heap = steady.Where(s => s.GcHeapBytes is not null).ToList();
        return
        [
            Trend.Of("working set", "MiB", [.. steady.Select(s => (s.At, s.WorkingSetBytes / Mebibyte))], 16),
            Trend.Of("GC heap", "MiB", [.. heap.Select(s => (s.At, s.GcHeapBytes!.Value / Mebibyte))], 16),
            Trend.Of("threads", string.Empty, [.. steady.Select(s => (s.At, (double)s.Threads))], 4),
            Trend.Of("handles", string.Empty, [.. steady.Select(s => (s.At, (double)s.Handles))], 16),
        ];
    }

    private const double Mebibyte = 1024.0 * 1024.0;

    private static string MeanMax(IReadOnlyList<double> values, int decimals) =>
        $"{Format.Number(values.Average(), decimals)} ({Format.Number(values.Max(), decimals)})";
}

/// <summary>A resource's least-squares slope per 10 minutes over <see cref="Span"/>, its mean, and whether it stayed flat.</summary>
internal sealed record Trend(string Name, string Unit, int Samples, TimeSpan Span, double Mean, double SlopePer10Minutes, double Allowance)
{
    public double Drift => SlopePer10Minutes * Span.TotalMinutes / 10;

    public bool Flat => Samples >= 3 && Math.Abs(Drift) < Allowance;

    public static Trend Of(string name, string unit, IReadOnlyList<(TimeSpan At, double Value)> points, double floor)
    {
        if (points.Count < 3)
        {
            return new Trend(name, unit, points.Count, TimeSpan.Zero, points.Count > 0 ? points.Average(p => p.Value) : double.NaN, double.NaN, floor);
        }

        var xs = points.Select(p => p.At.TotalMinutes).ToArray();
        var ys = points.Select(p => p.Value).ToArray();
        var meanX = xs.Average();
        var meanY = ys.Average();
        var covariance = xs.Zip(ys, (x, y) => (x - meanX) * (y - meanY)).Sum();
        var variance = xs.Sum(x => (x - meanX) * (x - meanX));
        var slope = variance > 0 ? covariance / variance : 0;
        return new Trend(name, unit, points.Count, points[^1].At - points[0].At, meanY, slope * 10, Math.Max(floor, 0.1 * Math.Abs(meanY)));
    }

    public override string ToString()
    {
        var unit = Unit.Length > 0 ? " " + Unit : string.Empty;
        return Samples < 3
            ? $"{Name}: too few samples ({Samples})"
            : string.Create(CultureInfo.InvariantCulture,
                $"{Name}: mean {Format.Number(Mean, 1)}{unit}, slope {SlopePer10Minutes:+0.00;-0.00;0.00}{unit} per 10 min, {Drift:+0.0;-0.0;0.0}{unit} over {Span.TotalMinutes:0} min (allowance ±{Format.Number(Allowance, 1)}{unit}): {(Flat ? "flat" : "GROWING")}");
    }
}
