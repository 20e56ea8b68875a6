using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The operator's requests-per-minute policy: GCRA pacing (emission interval 60 s / N, <c>Burst</c> admissions back
/// to back) combined with an exact sliding 60-second window, because GCRA with a burst above one admits up to
/// N + Burst - 1 in some 60 seconds. The window keeps the last admission times in a ring that holds at least N entries:
/// 1000 (the seed's largest N, 8 KB) from the start, grown once to exactly N when a policy with a larger N (extended
/// ranges) first fills it, and never shrunk. So admissions allocate nothing, and memory is bounded by the largest N in
/// force since the start: at most 100000 entries (800 KB). Not thread-safe: its owner serializes access.
/// </summary>
internal sealed class RequestPacer
{
    /// <summary>The ring's first size: the seed's largest <c>MaxRequestsPerMinute</c>, so the seed's ranges never grow it.</summary>
    public const int InitialCapacity = SettingRanges.MaxRequestsPerMinute;

    /// <summary>The ring's largest size: the largest <c>MaxRequestsPerMinute</c> extended ranges allow.</summary>
    public const int MaxCapacity = SettingRanges.ExtendedMaxRequestsPerMinute;

    private const long Window = TimeSpan.TicksPerMinute;

    private long[] _ring = new long[InitialCapacity];
    private int _head;
    private int _count;
    private long _theoreticalArrival = long.MinValue;
    private int _perMinute;
    private long _interval;

    /// <summary>
    /// Gets the burst the pacing allows: the operator's <paramref name="burst"/>, or, when learning and the upstream's
    /// responses have shown that its requests bucket holds more (<paramref name="upstreamCapacity"/>, the least capacity
    /// they prove; for a bucket that holds a whole minute, the whole limit), that many, never above
    /// <paramref name="perMinute"/>. Pacing below what the upstream itself lets go at once would make Pacer the
    /// bottleneck; the sliding window still holds the operator's <paramref name="perMinute"/> in every 60 seconds.
    /// </summary>
    public static int BurstFor(int perMinute, int burst, double upstreamCapacity) =>
        upstreamCapacity >= burst + 1 ? (int)Math.Min(perMinute, Math.Floor(upstreamCapacity)) : burst;

    /// <summary>Gets the ticks until one more admission is allowed at <paramref name="now"/>; 0 when it is allowed now.</summary>
    public long TicksUntilAdmissible(int perMinute, int burst, long now)
    {
        Trim(now);
        long wait = 0;
        if (_count >= perMinute)
        {
            // The admission at this index must leave the window so that fewer than N remain in it.
            wait = _ring[(_head + _count - perMinute) % _ring.Length] + Window - now;
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
        if (_count == _ring.Length && perMinute > _ring.Length)
        {
            Grow(Math.Min(perMinute, MaxCapacity));
        }

        if (_count == _ring.Length)
        {
            // Only reachable past MaxCapacity (not a valid policy): forget the oldest rather than grow without bound.
            _head = (_head + 1) % _ring.Length;
            _count--;
        }

        _ring[(_head + _count) % _ring.Length] = now;
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

    /// <summary>Gets the entries the ring holds now.</summary>
    internal int Capacity => _ring.Length;

    /// <summary>Copies the window, oldest first, into a larger ring: once per larger policy, never per admission.</summary>
    private void Grow(int capacity)
    {
        var ring = new long[capacity];
        for (var i = 0; i < _count; i++)
        {
            ring[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = ring;
        _head = 0;
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
            _head = (_head + 1) % _ring.Length;
            _count--;
        }
    }
}
