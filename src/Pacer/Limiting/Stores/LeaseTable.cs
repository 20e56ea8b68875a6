namespace Pacer.Limiting;

/// <summary>
/// The concurrency leases of an in-memory store: each held by an owner under an id, and, when a time to live is set,
/// expiring unless renewed (without one, a lease ends only when freed). Not thread-safe.
/// </summary>
internal sealed class LeaseTable(long timeToLive)
{
    private readonly Dictionary<(string Owner, long Id), long> _expiries = [];
    private long _earliest = long.MaxValue;
    private int _count;

    /// <summary>Gets the live leases at <paramref name="now"/>, after dropping the expired ones.</summary>
    public int Count(long now)
    {
        if (timeToLive > 0 && now >= _earliest)
        {
            Expire(now);
        }

        return _count;
    }

    public void Hold(string owner, long id, long now)
    {
        var expiry = timeToLive > 0 ? now + timeToLive : long.MaxValue;
        if (_expiries.TryAdd((owner, id), expiry))
        {
            _count++;
            _earliest = Math.Min(_earliest, expiry);
        }
    }

    /// <summary>Frees a lease; returns whether it was held (a second free, or a free after expiry, changes nothing).</summary>
    public bool Free(string owner, long id)
    {
        if (!_expiries.Remove((owner, id)))
        {
            return false;
        }

        _count--;
        return true;
    }

    public void Renew(string owner, ReadOnlySpan<long> ids, long now)
    {
        if (timeToLive <= 0)
        {
            return;
        }

        Count(now);
        foreach (var id in ids)
        {
            if (_expiries.ContainsKey((owner, id)))
            {
                _expiries[(owner, id)] = now + timeToLive;
            }
        }

        Recompute();
    }

    private void Expire(long now)
    {
        List<(string, long)>? expired = null;
        foreach (var (lease, expiry) in _expiries)
        {
            if (expiry <= now)
            {
                (expired ??= []).Add(lease);
            }
        }

        foreach (var lease in expired ?? [])
        {
            _expiries.Remove(lease);
            _count--;
        }

        Recompute();
    }

    private void Recompute()
    {
        _earliest = long.MaxValue;
        foreach (var expiry in _expiries.Values)
        {
            _earliest = Math.Min(_earliest, expiry);
        }
    }
}
