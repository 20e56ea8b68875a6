namespace Pacer.Tests.Limiting;

/// <summary>
/// The server's side of one Anthropic budget, written independently of the limiter: capacity L, refilled continuously
/// at L/60 per second, charged when a request arrives; it refuses (a 429) what it cannot cover.
/// </summary>
internal sealed class ServerBucket(long limit)
{
    private double _level = limit;
    private DateTimeOffset _stamp;

    public long Limit { get; } = limit;

    public int Refusals { get; private set; }

    public void Charge(double amount, DateTimeOffset now)
    {
        Refill(now);
        if (_level + 1e-6 < amount)
        {
            Refusals++;
        }

        _level -= amount;
    }

    /// <summary>What the <c>-remaining</c> header says now; input tokens are rounded to the nearest thousand.</summary>
    public long Remaining(DateTimeOffset now, bool roundToThousand)
    {
        Refill(now);
        var remaining = Math.Max(0, Math.Floor(_level));
        return (long)(roundToThousand ? Math.Round(remaining / 1000, MidpointRounding.AwayFromZero) * 1000 : remaining);
    }

    private void Refill(DateTimeOffset now)
    {
        if (_stamp != default && now > _stamp)
        {
            _level = Math.Min(Limit, _level + (Limit * (now - _stamp).TotalMinutes));
        }

        _stamp = now;
    }
}
