namespace Pacer.Limiting;

/// <summary>
/// The waiters of one priority class: one FIFO lane per user, the lanes in a ring served round-robin from a cursor.
/// A new user's lane joins at the end of the current round. Not thread-safe: the limiter's lock guards it.
/// </summary>
internal sealed class LaneRing(RequestPriority priority)
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private int _waiting;

    public RequestPriority Priority { get; } = priority;

    /// <summary>Gets the waiting requests of this class. Also read without the lock (a gauge): a recent value, never torn.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Gets the lanes (users with waiting requests) of this class.</summary>
    public int LaneCount => _lanes.Count;

    /// <summary>Gets the lane whose turn it is in this class, or null when nobody of this class waits.</summary>
    public Lane? Cursor { get; private set; }

    public Dictionary<string, Lane>.ValueCollection Lanes => _lanes.Values;

    public bool HasLane(string user) => _lanes.ContainsKey(user);

    public void Enqueue(Waiter waiter, string user)
    {
        if (!_lanes.TryGetValue(user, out var lane))
        {
            lane = new Lane(user);
            _lanes.Add(lane.User, lane);
            JoinRing(lane);
        }

        lane.Enqueue(waiter);
        _waiting++;
    }

    public void Remove(Waiter waiter)
    {
        var lane = waiter.Lane!;
        lane.Remove(waiter);
        _waiting--;
        if (lane.Count == 0)
        {
            LeaveRing(lane);
        }
    }

    /// <summary>Passes the turn on from a lane that was just served (a lane left empty has already left the ring).</summary>
    public void Served(Lane lane)
    {
        if (lane.Count > 0)
        {
            Cursor = lane.Next;
        }
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
}
