namespace Pacer.Simulator.Control;

/// <summary>The last attempts received, oldest dropped first past the capacity; thread-safe.</summary>
internal sealed class AttemptLog(int capacity)
{
    private readonly LinkedList<AttemptRecord> _records = new();
    private readonly Lock _gate = new();
    private long _sequence;

    public AttemptRecord Open(SimulatorAttempt start)
    {
        var record = new AttemptRecord(start with { Sequence = Interlocked.Increment(ref _sequence) });
        lock (_gate)
        {
            _records.AddLast(record);
            while (_records.Count > capacity)
            {
                _records.RemoveFirst();
            }
        }

        return record;
    }

    public IReadOnlyList<SimulatorAttempt> Snapshot(long after = 0)
    {
        lock (_gate)
        {
            return [.. _records.Select(r => r.Current).Where(a => a.Sequence > after)];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _records.Clear();
        }
    }
}
