namespace Pacer.Goodput.Measuring;

/// <summary>The median and 99th percentile of a set of latencies, in milliseconds, and how many there were.</summary>
internal readonly record struct LatencySummary(int Count, double P50, double P99)
{
    public static LatencySummary Of(IReadOnlyCollection<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        var sorted = milliseconds.Order().ToArray();
        return new LatencySummary(sorted.Length, Percentiles.OfSorted(sorted, 50), Percentiles.OfSorted(sorted, 99));
    }
}
