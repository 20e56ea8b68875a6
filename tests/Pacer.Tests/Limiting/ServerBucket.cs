namespace Pacer.Tests.Limiting;

/// <summary>
/// The server's side of one Anthropic budget, written independently of the limiter: capacity L, refilled continuously
/// at L/60 per second, charged when a request arrives; it refuses (a 429) what it cannot cover. Output counted as
/// produced is charged as it is produced instead, after an admission that only needs a bucket that is not empty.
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

    /// <summary>
    /// A request arrives at a bucket that counts output as produced: it is refused only when the bucket is empty; its
    /// output is charged later (<see cref="Produce"/>), and may take the level below empty.
    /// </summary>
    public void Admit(DateTimeOffset now)
    {
        Refill(now);
        if (_level < 1)
        {
            Refusals++;
        }
    }

    /// <summary>Charges output as it is produced, with no refusal: the request was admitted already.</summary>
    public void Produce(double amount, DateTimeOffset now)
    {
        Refill(now);
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
