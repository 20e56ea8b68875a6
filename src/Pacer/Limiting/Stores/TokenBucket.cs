namespace Pacer.Limiting;

/// <summary>
/// A continuously refilled token bucket (a capacity, refilled at a rate per minute), kept as the debt below full so
/// that a change of capacity keeps what was recently spent. The debt may exceed the capacity after an overcharge.
/// Not thread-safe: its owner serializes access.
/// </summary>
internal struct TokenBucket
{
    private double _debt;
    private long _stamp;

    /// <summary>Gets the amount spent and not yet refilled, as of the last <see cref="Refill"/>.</summary>
    public readonly double Debt => _debt;

    /// <summary>
    /// Brings the bucket to <paramref name="now"/>: the debt shrinks by <paramref name="perMinute"/>/60 per second, to
    /// no less than <paramref name="floor"/> (what the bucket holds for others that the refill cannot take back).
    /// </summary>
    public void Refill(double perMinute, long now, double floor = 0)
    {
        if (now <= _stamp)
        {
            return;
        }

        if (_debt > floor)
        {
            _debt = Math.Max(floor, _debt - (perMinute * (now - _stamp) / TimeSpan.TicksPerMinute));
        }

        _stamp = now;
    }

    /// <summary>Gets what is available now (after <see cref="Refill"/>); negative after an overcharge.</summary>
    public readonly double Available(double capacity) => capacity - _debt;

    /// <summary>
    /// Gets the ticks until <paramref name="amount"/> may be taken from a bucket of <paramref name="capacity"/> refilled at
    /// <paramref name="perMinute"/> (after <see cref="Refill"/>); 0 when it may now. An amount above the capacity waits
    /// for a full bucket and then takes it into debt.
    /// </summary>
    public readonly long TicksUntil(double amount, double capacity, double perMinute)
    {
        var missing = _debt - Math.Max(0, capacity - amount);
        return missing <= 0 ? 0 : TicksFor(missing, perMinute);
    }

    /// <summary>Gets the ticks a bucket refilled at <paramref name="perMinute"/> takes to refill <paramref name="amount"/>; at least 1.</summary>
    public static long TicksFor(double amount, double perMinute) => Math.Max(1, (long)Math.Ceiling(Math.Max(0, amount) * TimeSpan.TicksPerMinute / perMinute));

    /// <summary>Spends <paramref name="amount"/> (negative refunds), never refunding below empty debt.</summary>
    public void Spend(double amount) => _debt = Math.Max(0, _debt + amount);

    /// <summary>Sets the debt outright, as the server reports it.</summary>
    public void Reset(double debt, long now)
    {
        _debt = Math.Max(0, debt);
        _stamp = now;
    }

    /// <summary>Forgets all debt.</summary>
    public void Clear() => _debt = 0;

    /// <summary>Gets the ticks until the bucket is full again, refilled at <paramref name="perMinute"/>.</summary>
    public readonly long TicksUntilFull(double perMinute) =>
        _debt <= 0 || perMinute <= 0 ? 0 : (long)Math.Ceiling(_debt * TimeSpan.TicksPerMinute / perMinute);
}
