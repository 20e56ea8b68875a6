namespace Pacer.Limiting;

/// <summary>One user's waiters in arrival order (FIFO), and a link in the round-robin ring of users.</summary>
internal sealed class Lane(string user)
{
    public string User { get; } = user;

    public Waiter? Head { get; private set; }

    public int Count { get; private set; }

    public Lane? Next { get; set; }

    public Lane? Previous { get; set; }

    private Waiter? Tail { get; set; }

    public void Enqueue(Waiter waiter)
    {
        waiter.Lane = this;
        waiter.Previous = Tail;
        waiter.Next = null;
        if (Tail is null)
        {
            Head = waiter;
        }
        else
        {
            Tail.Next = waiter;
        }

        Tail = waiter;
        Count++;
    }

    public void Remove(Waiter waiter)
    {
        if (waiter.Previous is null)
        {
            Head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            Tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.Lane = null;
        waiter.Next = null;
        waiter.Previous = null;
        Count--;
    }
}
