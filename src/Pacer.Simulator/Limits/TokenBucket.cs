namespace Pacer.Simulator.Limits;

/// <summary>
/// A continuously replenished token bucket (capacity C, refill L/60 per second) in exact integer arithmetic:
/// amounts are kept in "unit ticks" (one unit = one minute of ticks), so refilling L per minute adds exactly L per tick.
/// Not thread-safe: callers hold a lock.
/// </summary>
internal sealed class TokenBucket
{
    private const long Unit = TimeSpan.TicksPerMinute;
    private readonly long _capacity;
    private long _level;
    private long _updatedTicks;

    /// <param name="limitPerMinute">The limit L (refill L per minute).</param>
    /// <param name="burstSeconds">Seconds of refill the bucket holds; the capacity is never below one unit.</param>
    /// <param name="now">The moment the bucket starts, full.</param>
    public TokenBucket(long limitPerMinute, double burstSeconds, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limitPerMinute, 1);
        Limit = limitPerMinute;
        _capacity = Math.Max(Unit, (long)Math.Round(limitPerMinute * burstSeconds * TimeSpan.TicksPerSecond));
        _level = _capacity;
        _updatedTicks = now.UtcTicks;
    }

    /// <summary>The per-minute limit L.</summary>
    public long Limit { get; }

    /// <summary>Whole units in the bucket now (never negative).</summary>
    public long Available(DateTimeOffset now)
    {
        Refill(now);
        return _level <= 0 ? 0 : _level / Unit;
    }

    /// <summary>Whether <paramref name="amount"/> could ever fit, that is does not exceed the capacity.</summary>
    public bool CanEverFit(long amount) => amount * Unit <= _capacity;

    /// <summary>How long until <paramref name="amount"/> units are in the bucket (zero when they are now).</summary>
    public TimeSpan TimeUntil(long amount, DateTimeOffset now)
    {
        Refill(now);
        var missing = (amount * Unit) - _level;
        return missing <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(CeilDiv(missing, Limit));
    }

    /// <summary>How long until the bucket is full again.</summary>
    public TimeSpan TimeUntilFull(DateTimeOffset now)
    {
        Refill(now);
        var missing = _capacity - _level;
        return missing <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(CeilDiv(missing, Limit));
    }

    /// <summary>Takes <paramref name="amount"/> units; the level may go below zero (a debt repaid by refill).</summary>
    public void Take(long amount, DateTimeOffset now)
    {
        Refill(now);
        _level -= amount * Unit;
    }

    /// <summary>Gives back <paramref name="amount"/> units, never above the capacity.</summary>
    public void Give(long amount, DateTimeOffset now)
    {
        Refill(now);
        _level = Math.Min(_capacity, _level + (amount * Unit));
    }

    private void Refill(DateTimeOffset now)
    {
        var elapsed = now.UtcTicks - _updatedTicks;
        if (elapsed <= 0)
        {
            return;
        }

        _updatedTicks = now.UtcTicks;
        var missing = _capacity - _level;
        if (missing <= 0)
        {
            return;
        }

        // Compare in ticks first so elapsed × limit cannot overflow after a long idle time.
        _level = elapsed >= CeilDiv(missing, Limit) ? _capacity : _level + (elapsed * Limit);
    }

    private static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;
}
