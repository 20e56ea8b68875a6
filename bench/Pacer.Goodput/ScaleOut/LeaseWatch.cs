using StackExchange.Redis;

namespace Pacer.Goodput.ScaleOut;

/// <summary>
/// Watches the shared limiter's keys on Redis after a gateway is killed, on Redis's own clock: the leases zset
/// (<c>{prefix}:leases</c>, members <c>owner:id</c> scored by expiry in µs) and the heartbeats (<c>{prefix}:instances</c>,
/// each owner scored by its own expiry and renewed every third of the lease time, from the gateway's start). Each
/// gateway's owner id is learned as it starts: the one new heartbeat.
/// </summary>
internal static class LeaseWatch
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits (bounded) for the heartbeat of an owner not in <paramref name="known"/>, the gateway just started, and returns its id.</summary>
    public static async Task<string> NewOwnerAsync(IDatabase redis, string prefix, IReadOnlyCollection<string> known, TimeSpan bound)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(known);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var owners = (await redis.SortedSetRangeByRankAsync("{" + prefix + "}:instances")).Select(o => o.ToString()).Except(known).ToList();
            if (owners.Count == 1)
            {
                return owners[0];
            }

            if (owners.Count > 1 || waited.Elapsed > bound)
            {
                throw new InvalidOperationException($"Expected one new instance on Redis (prefix {prefix}) within {bound.TotalSeconds} s, saw {owners.Count}.");
            }

            await Task.Delay(Every);
        }
    }

    /// <summary>Waits (bounded) until <paramref name="owner"/> holds at least one live lease; returns whether it did.</summary>
    public static async Task<bool> HoldingAsync(IDatabase redis, string prefix, string owner, TimeSpan bound)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < bound)
        {
            var now = await NowAsync(redis);
            var held = await redis.SortedSetRangeByScoreAsync("{" + prefix + "}:leases", start: now, exclude: Exclude.Start);
            if (held.Any(l => OwnerOf(l.ToString()) == owner))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        return false;
    }

    /// <summary>Samples the keys from now (just after the kill) until <paramref name="span"/> has passed.</summary>
    public static async Task<IReadOnlyList<LeaseSample>> FollowAsync(IDatabase redis, string prefix, TimeSpan span)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var leases = (RedisKey)("{" + prefix + "}:leases");
        var instances = (RedisKey)("{" + prefix + "}:instances");
        var samples = new List<LeaseSample>();
        var first = -1L;
        while (true)
        {
            var now = await NowAsync(redis);
            first = first < 0 ? now : first;
            var held = await redis.SortedSetRangeByRankWithScoresAsync(leases);
            var beats = await redis.SortedSetRangeByRankWithScoresAsync(instances);
            samples.Add(new LeaseSample(
                now,
                [.. held.Select(h => (Owner: OwnerOf(h.Element.ToString()), ExpiresAt: (long)h.Score))],
                beats.ToDictionary(b => b.Element.ToString(), b => (long)b.Score)));
            if (now - first > span.TotalMicroseconds)
            {
                return samples;
            }

            await Task.Delay(Every);
        }
    }

    /// <summary>
    /// What the samples (the first just after the kill) show of the killed gateway's leases, <paramref name="dead"/>
    /// its owner id; null when its heartbeat was renewed after the kill (the wrong owner, or not killed).
    /// </summary>
    public static LeaseReturn? Analyse(IReadOnlyList<LeaseSample> samples, string dead)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return null;
        }

        var start = samples[0];
        var beat = start.Heartbeats.GetValueOrDefault(dead);
        if (samples.Any(s => s.Heartbeats.TryGetValue(dead, out var later) && later != beat))
        {
            return null;
        }

        var held = start.Leases.Where(l => l.Owner == dead && l.ExpiresAt > start.Now).ToList();
        var freed = samples.FirstOrDefault(s => !s.Leases.Any(l => l.Owner == dead && l.ExpiresAt > s.Now));
        return new LeaseReturn(
            held.Count,
            held.Count == 0 ? 0 : (held.Max(l => l.ExpiresAt) - start.Now) / 1e6,
            freed is null ? double.NaN : (freed.Now - start.Now) / 1e6);
    }

    private static async Task<long> NowAsync(IDatabase redis)
    {
        var time = (RedisResult[])(await redis.ExecuteAsync("TIME"))!;
        return ((long)time[0] * 1_000_000) + (long)time[1];
    }

    private static string OwnerOf(string member) => member[..Math.Max(0, member.LastIndexOf(':'))];
}

/// <summary>One look at the keys: Redis's time (µs), every lease's owner and expiry, every heartbeat's expiry by owner.</summary>
internal sealed record LeaseSample(long Now, IReadOnlyList<(string Owner, long ExpiresAt)> Leases, IReadOnlyDictionary<string, long> Heartbeats);

/// <summary>
/// The killed gateway's leases: how many it held at the kill, when the last would expire (seconds after the kill, on
/// Redis's clock), and when the harness first saw none of them live (seconds after the kill, sampled every 100 ms).
/// </summary>
internal sealed record LeaseReturn(int HeldAtKill, double LastExpirySeconds, double SeenFreeSeconds);
