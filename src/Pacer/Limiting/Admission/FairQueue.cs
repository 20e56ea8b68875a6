namespace Pacer.Limiting;

/// <summary>
/// The waiters, in two priority classes, each a ring of per-user FIFO lanes served round-robin (<see cref="LaneRing"/>),
/// and the waiters ordered by when their wait expires. The queue decides whose turn it is: the interactive class first,
/// unless the batch class is owed its minimum share; a pass that finds every lane of one class blocked moves on to the
/// other, so batch uses whatever interactive traffic cannot. Not thread-safe: the limiter's lock guards it.
/// </summary>
/// <remarks>
/// The share is kept as a credit in percent points: every admission made while batch requests wait adds the share,
/// a batch admission takes 100, and batch has the first turn while the credit is at least 100. With a share of 10,
/// one admission in ten goes to batch whenever both classes wait and the limits are what holds them back.
/// </remarks>
internal sealed class FairQueue
{
    private const int Whole = 100;

    private readonly LaneRing _interactive = new(RequestPriority.Interactive);
    private readonly LaneRing _batch = new(RequestPriority.Batch);

    // Expiries are removed lazily: entries of waiters no longer queued are skipped when they reach the top.
    private PriorityQueue<Waiter, long> _expiries = new();

    private int _count;
    private LaneRing _turn;
    private int _batchShare;
    private int _batchCredit;

    public FairQueue() => _turn = _interactive;

    /// <summary>Gets the waiting requests. Also read without the lock (a gauge): a recent value, never torn.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gets the distinct users with waiting requests.</summary>
    public int DistinctUsers
    {
        get
        {
            var users = _interactive.LaneCount;
            foreach (var lane in _batch.Lanes)
            {
                users += _interactive.HasLane(lane.User) ? 0 : 1;
            }

            return users;
        }
    }

    /// <summary>Gets the lane whose turn it is, or null when nobody waits.</summary>
    public Lane? Cursor => _turn.Cursor;

    /// <summary>Gets the lane whose turn it is in the class served after the one whose turn it is, or null.</summary>
    public Lane? OtherCursor => Other(_turn).Cursor;

    /// <summary>Gets the waiting requests of one class; no lock needed (a recent value).</summary>
    public int CountOf(RequestPriority priority) => RingOf(priority).Waiting;

    /// <summary>Starts a pass over the waiters: the turn goes to the class that should be served first.</summary>
    /// <param name="batchMinShare">The batch class's guaranteed share of admissions, in percent (0-50).</param>
    public void BeginPass(int batchMinShare)
    {
        _batchShare = batchMinShare;
        ChooseTurn();
    }

    public void Enqueue(Waiter waiter, string user)
    {
        var ring = RingOf(waiter.Priority);
        ring.Enqueue(waiter, user);
        waiter.IsQueued = true;
        _count++;
        _expiries.Enqueue(waiter, waiter.ExpiresAt);
        if (_turn.LaneCount == 0)
        {
            _turn = ring;
        }
    }

    /// <summary>Removes a queued waiter wherever it is; returns whether it was first in its lane.</summary>
    public bool Remove(Waiter waiter)
    {
        var first = waiter.Previous is null;
        RingOf(waiter.Priority).Remove(waiter);
        waiter.IsQueued = false;
        _count--;
        if (_turn.LaneCount == 0 && Other(_turn).LaneCount > 0)
        {
            _turn = Other(_turn);
        }

        if (_expiries.Count > (2 * Count) + 1024)
        {
            Compact();
        }

        return first;
    }

    /// <summary>
    /// Removes the head of the cursor's lane after it was admitted, passes the turn to the next lane of its class,
    /// counts the admission toward the batch share, and gives the turn to the class that should go next.
    /// </summary>
    public void DequeueServed(Waiter waiter)
    {
        var lane = waiter.Lane!;
        var batchWaited = _batch.Waiting > 0;
        Remove(waiter);
        RingOf(waiter.Priority).Served(lane);
        if (waiter.Priority == RequestPriority.Batch)
        {
            _batchCredit = Math.Clamp(_batchCredit + _batchShare - Whole, 0, Whole);
        }
        else if (batchWaited)
        {
            _batchCredit = Math.Min(Whole, _batchCredit + _batchShare);
        }

        ChooseTurn();
    }

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
        foreach (var ring in (ReadOnlySpan<LaneRing>)[_interactive, _batch])
        {
            while (ring.Cursor is { Head: { } head })
            {
                Remove(head);
                all.Add(head);
            }
        }

        _expiries.Clear();
        return all;
    }

    private void ChooseTurn()
    {
        _turn = _batch.LaneCount == 0 ? _interactive
            : _interactive.LaneCount == 0 || (_batchShare > 0 && _batchCredit >= Whole) ? _batch
            : _interactive;
    }

    private LaneRing RingOf(RequestPriority priority) => priority == RequestPriority.Batch ? _batch : _interactive;

    private LaneRing Other(LaneRing ring) => ring == _batch ? _interactive : _batch;

    private void Compact()
    {
        var live = new PriorityQueue<Waiter, long>(Count);
        foreach (var ring in (ReadOnlySpan<LaneRing>)[_interactive, _batch])
        {
            foreach (var lane in ring.Lanes)
            {
                for (var waiter = lane.Head; waiter is not null; waiter = waiter.Next)
                {
                    live.Enqueue(waiter, waiter.ExpiresAt);
                }
            }
        }

        _expiries = live;
    }
}
