namespace Pacer.Goodput.Measuring;

/// <summary>How many requests the upstream held open at once, from when each arrived to when its answer ended.</summary>
internal static class UpstreamConcurrency
{
    /// <summary>
    /// The most requests open at the same instant. An answer that ends when another arrives is not counted with it;
    /// one still open (no end) counts until the last arrival.
    /// </summary>
    public static int Max(IEnumerable<(DateTimeOffset Arrived, DateTimeOffset? Completed)> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var events = new List<(DateTimeOffset At, int Delta)>();
        foreach (var (arrived, completed) in requests)
        {
            events.Add((arrived, +1));
            events.Add((completed ?? DateTimeOffset.MaxValue, -1));
        }

        // Ends sort before arrivals at the same instant.
        events.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Delta.CompareTo(b.Delta));
        int open = 0, most = 0;
        foreach (var (_, delta) in events)
        {
            open += delta;
            most = Math.Max(most, open);
        }

        return most;
    }
}
