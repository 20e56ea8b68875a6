namespace Pacer.Limiting;

/// <summary>
/// The waiters: one FIFO lane per user, lanes served round-robin from a cursor, and the waiters ordered by when their
/// wait expires. A new user's lane joins at the end of the current round, so one user's backlog delays another user's
/// request by at most one turn. Not thread-safe: the limiter's lock guards it.
/// </summary>
internal sealed class FairQueue
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    // Expiries are removed lazily: entries of waiters no longer queued are skipped when they reach the top.
    private PriorityQueue<Waiter, long> _expiries = new();

    private int _count;

    /// <summary>Gets the waiting requests. Also read without the lock (a gauge): a recent value, never torn.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gets the users with waiting requests.</summary>
    public int Users => _lanes.Count;

    /// <summary>Gets the lane whose turn it is, or null when nobody waits.</summary>
    public Lane? Cursor { get; private set; }

    public void Enqueue(Waiter waiter, string user)
    {
        if (!_lanes.TryGetValue(user, out var lane))
        {
            lane = new Lane(user);
            _lanes.Add(lane.User, lane);
            JoinRing(lane);
        }

        lane.Enqueue(waiter);
        waiter.IsQueued = true;
        _count++;
        _expiries.Enqueue(waiter, waiter.ExpiresAt);
    }

    /// <summary>Removes a queued waiter wherever it is; returns whether it was first in its lane.</summary>
    public bool Remove(Waiter waiter)
    {
        var first = waiter.Previous is null;
        var lane = waiter.Lane!;
        lane.Remove(waiter);
        waiter.IsQueued = false;
        _count--;
        if (lane.Count == 0)
        {
            LeaveRing(lane);
        }

        if (_expiries.Count > (2 * Count) + 1024)
        {
            Compact();
        }

        return first;
    }

    /// <summary>Removes the head of the cursor's lane after it was admitted, and passes the turn to the next lane.</summary>
    public void DequeueServed(Waiter waiter)
    {
        var lane = waiter.Lane!;
        Remove(waiter);
        if (lane.Count > 0)
        {
            Cursor = lane.Next;
        }
    }

    /// <summary>Gives the turn to <paramref name="lane"/> when it still waits; otherwise the turn stays.</summary>
    public void TurnTo(Lane? lane)
    {
        if (lane?.Next is not null)
        {
            Cursor = lane;
        }
    }

    /// <summary>Passes the turn to the next lane.</summary>
    public void Skip() => Cursor = Cursor?.Next;

    /// <summary>Gets the earliest expiry of a queued waiter, or <see cref="long.MaxValue"/>.</summary>
    public long NextExpiry()
    {
        while (_expiries.TryPeek(out var waiter, out var expiresAt))
        {
            if (waiter.IsQueued)
            {
                return expiresAt;
            }

            _expiries.Dequeue();
        }

        return long.MaxValue;
    }

    /// <summary>Takes out one queued waiter whose last admissible moment is before <paramref name="now"/>.</summary>
    public bool TryTakeExpired(long now, out Waiter waiter)
    {
        if (NextExpiry() < now)
        {
            waiter = _expiries.Dequeue();
            Remove(waiter);
            return true;
        }

        waiter = null!;
        return false;
    }

    /// <summary>Takes out every waiter.</summary>
    public List<Waiter> Drain()
    {
        var all = new List<Waiter>(Count);
        while (Cursor is { Head: { } head })
        {
            Remove(head);
            all.Add(head);
        }

        _expiries.Clear();
        return all;
    }

    private void JoinRing(Lane lane)
    {
        if (Cursor is null)
        {
            lane.Next = lane;
            lane.Previous = lane;
            Cursor = lane;
            return;
        }

        // Just before the cursor: the end of the current round.
        lane.Next = Cursor;
        lane.Previous = Cursor.Previous;
        Cursor.Previous!.Next = lane;
        Cursor.Previous = lane;
    }

    private void LeaveRing(Lane lane)
    {
        _lanes.Remove(lane.User);
        if (lane.Next == lane)
        {
            Cursor = null;
        }
        else
        {
            lane.Previous!.Next = lane.Next;
            lane.Next!.Previous = lane.Previous;
            if (Cursor == lane)
            {
                Cursor = lane.Next;
            }
        }

        lane.Next = null;
        lane.Previous = null;
    }

    private void Compact()
    {
        var live = new PriorityQueue<Waiter, long>(Count);
        foreach (var lane in _lanes.Values)
        {
            for (var waiter = lane.Head; waiter is not null; waiter = waiter.Next)
            {
                live.Enqueue(waiter, waiter.ExpiresAt);
            }
        }

        _expiries = live;
    }
}
