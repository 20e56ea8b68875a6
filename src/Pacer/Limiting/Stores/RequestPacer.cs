namespace Pacer.Limiting;

/// <summary>
/// The operator's requests-per-minute policy: GCRA pacing (emission interval 60 s / N, <c>Burst</c> admissions back
/// to back) combined with an exact sliding 60-second window, because GCRA with a burst above one admits up to
/// N + Burst - 1 in some 60 seconds. The window keeps the last admission times in a fixed ring sized to the largest
/// allowed N, so memory does not grow with the rate. Not thread-safe: its owner serializes access.
/// </summary>
internal sealed class RequestPacer
{
    /// <summary>The largest <c>MaxRequestsPerMinute</c> allowed; the ring never needs more entries.</summary>
    public const int Capacity = 1000;

    private const long Window = TimeSpan.TicksPerMinute;

    private readonly long[] _ring = new long[Capacity];
    private int _head;
    private int _count;
    private long _theoreticalArrival = long.MinValue;
    private int _perMinute;
    private long _interval;

    /// <summary>Gets the ticks until one more admission is allowed at <paramref name="now"/>; 0 when it is allowed now.</summary>
    public long TicksUntilAdmissible(int perMinute, int burst, long now)
    {
        Trim(now);
        long wait = 0;
        if (_count >= perMinute)
        {
            // The admission at this index must leave the window so that fewer than N remain in it.
            wait = _ring[(_head + _count - perMinute) % Capacity] + Window - now;
        }

        if (_theoreticalArrival != long.MinValue)
        {
            var paced = _theoreticalArrival - ((burst - 1) * Interval(perMinute)) - now;
            wait = Math.Max(wait, paced);
        }

        return Math.Max(0, wait);
    }

    /// <summary>Records an admission at <paramref name="now"/>.</summary>
    public void Admit(int perMinute, long now)
    {
        _theoreticalArrival = Math.Max(_theoreticalArrival, now) + Interval(perMinute);
        if (_count == Capacity)
        {
            _head = (_head + 1) % Capacity;
            _count--;
        }

        _ring[(_head + _count) % Capacity] = now;
        _count++;
    }

    /// <summary>Gets the admissions in the 60 seconds before <paramref name="now"/>.</summary>
    public int InWindow(long now)
    {
        Trim(now);
        return _count;
    }

    /// <summary>Gets the ticks until the oldest admission in the window leaves it; 0 when the window is empty.</summary>
    public long TicksUntilOldestLeaves(long now)
    {
        Trim(now);
        return _count == 0 ? 0 : _ring[_head] + Window - now;
    }

    /// <summary>Gets the emission interval, 60 s / N, computed once per N.</summary>
    private long Interval(int perMinute)
    {
        if (perMinute != _perMinute)
        {
            _perMinute = perMinute;
            _interval = Window / perMinute;
        }

        return _interval;
    }

    private void Trim(long now)
    {
        // An admission at time a is in the window until a + 60 s (exclusive).
        while (_count > 0 && _ring[_head] + Window <= now)
        {
            _head = (_head + 1) % Capacity;
            _count--;
        }
    }
}
