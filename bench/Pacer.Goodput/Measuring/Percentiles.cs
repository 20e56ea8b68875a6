namespace Pacer.Goodput.Measuring;

/// <summary>
/// Percentiles by the nearest-rank method: the p-th percentile of n sorted values is the value at rank ⌈p/100 · n⌉
/// (ranks from 1), so it is always one of the measured values, never an interpolation between two.
/// </summary>
internal static class Percentiles
{
    /// <summary>Gets the <paramref name="percentile"/>-th percentile (0 &lt; p ≤ 100) of <paramref name="values"/>; NaN when there are none.</summary>
    public static double Of(IReadOnlyCollection<double> values, double percentile)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (percentile is <= 0 or > 100 || double.IsNaN(percentile))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile lies in (0, 100].");
        }

        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return OfSorted(sorted, percentile);
    }

    /// <summary>Gets the <paramref name="percentile"/>-th percentile of values already sorted ascending.</summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
