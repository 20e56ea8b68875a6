namespace Pacer.Limiting;

/// <summary>One user's waiters in arrival order (FIFO), and a link in the round-robin ring of users.</summary>
internal sealed class Lane(string user)
{
    private IntrusiveList<Waiter, Waiter.Links> _waiters;

    public string User { get; } = user;

    public Waiter? Head => _waiters.First;

    public int Count => _waiters.Count;

    public Lane? Next { get; set; }

    public Lane? Previous { get; set; }

    public void Enqueue(Waiter waiter)
    {
        waiter.Lane = this;
        _waiters.AddLast(waiter);
    }

    public void Remove(Waiter waiter)
    {
        _waiters.Remove(waiter);
        waiter.Lane = null;
    }
}
