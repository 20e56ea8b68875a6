namespace Pacer.Simulator.Control;

/// <summary>A log entry still being written: the request pipeline updates it as the answer goes out.</summary>
internal sealed class AttemptRecord(SimulatorAttempt start)
{
    private SimulatorAttempt _current = start;

    public SimulatorAttempt Current => Volatile.Read(ref _current);

    public void Update(Func<SimulatorAttempt, SimulatorAttempt> change)
    {
        SimulatorAttempt seen, next;
        do
        {
            seen = Volatile.Read(ref _current);
            next = change(seen);
        }
        while (Interlocked.CompareExchange(ref _current, next, seen) != seen);
    }
}
