namespace Pacer.Limiting;

/// <summary>
/// The concurrency leases of an in-memory store: each held by an owner under an id, and, when a time to live is set,
/// expiring unless renewed (without one, a lease ends only when freed). An owner's name is hashed once, when it first
/// holds a lease, into a small number that keys its leases; the owner of the previous call is recognized by reference,
/// so a limiter's own leases cost no string hashing. A table that only counts (<paramref name="countOnly"/>, the store of
/// one limiter's own, whose leases never expire) keeps no lease at all: that limiter frees each of its leases exactly
/// once (a permit's release, or a waiter's that left while the store admitted it). Not thread-safe.
/// </summary>
internal sealed class LeaseTable(long timeToLive, bool countOnly = false)
{
    private readonly Dictionary<string, int> _owners = new(StringComparer.Ordinal);
    private readonly Dictionary<Lease, long> _expiries = [];
    private string? _lastOwner;
    private int _lastIndex;
    private long _earliest = long.MaxValue;
    private int _counted;

    /// <summary>Gets the live leases at <paramref name="now"/>, after dropping the expired ones.</summary>
    public int Count(long now)
    {
        if (countOnly)
        {
            return _counted;
        }

        if (timeToLive > 0 && now >= _earliest)
        {
            Expire(now);
        }

        return _expiries.Count;
    }

    public void Hold(string owner, long id, long now)
    {
        if (countOnly)
        {
            _counted++;
            return;
        }

        var expiry = timeToLive > 0 ? now + timeToLive : long.MaxValue;
        if (_expiries.TryAdd(new Lease(IndexOf(owner, add: true), id), expiry))
        {
            _earliest = Math.Min(_earliest, expiry);
        }
    }

    /// <summary>Frees a lease; returns whether it was held (a second free, or a free after expiry, changes nothing).</summary>
    public bool Free(string owner, long id)
    {
        if (countOnly)
        {
            _counted--;
            return true;
        }

        return IndexOf(owner, add: false) is var index and >= 0 && _expiries.Remove(new Lease(index, id));
    }

    public void Renew(string owner, ReadOnlySpan<long> ids, long now)
    {
        if (timeToLive <= 0 || IndexOf(owner, add: false) is not (var index and >= 0))
        {
            return;
        }

        Count(now);
        foreach (var id in ids)
        {
            ref var expiry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_expiries, new Lease(index, id));
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref expiry))
            {
                expiry = now + timeToLive;
            }
        }

        Recompute();
    }

    /// <summary>Gets the number that stands for <paramref name="owner"/>; -1 for an owner never seen unless <paramref name="add"/>.</summary>
    private int IndexOf(string owner, bool add)
    {
        if (ReferenceEquals(owner, _lastOwner))
        {
            return _lastIndex;
        }

        if (!_owners.TryGetValue(owner, out var index))
        {
            if (!add)
            {
                return -1;
            }

            index = _owners.Count;
            _owners.Add(owner, index);
        }

        _lastOwner = owner;
        _lastIndex = index;
        return index;
    }

    private void Expire(long now)
    {
        List<Lease>? expired = null;
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

    /// <summary>One lease: its owner's number and its id.</summary>
    private readonly record struct Lease(int Owner, long Id)
    {
        public bool Equals(Lease other) => Owner == other.Owner && Id == other.Id;

        public override int GetHashCode() => unchecked((int)Id ^ (int)(Id >> 32) ^ (Owner * -1640531535));
    }
}
