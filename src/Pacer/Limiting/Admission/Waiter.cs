using System.Threading.Tasks.Sources;

namespace Pacer.Limiting;

/// <summary>One request waiting for admission: a node of its user's lane and the source of the caller's <see cref="ValueTask{Permit}"/>.</summary>
internal sealed class Waiter : IValueTaskSource<Permit>
{
    private ManualResetValueTaskSourceCore<Permit> _core = new() { RunContinuationsAsynchronously = true };

    public Waiter(LimiterEngine owner, BucketKey bucket, string model, int askedOutputHold, RequestCost cost, long leaseId, long enqueuedAt, long expiresAt)
    {
        LeaseId = leaseId;
        Owner = owner;
        Bucket = bucket;
        Model = model;
        AskedOutputHold = askedOutputHold;
        Cost = cost;
        EnqueuedAt = enqueuedAt;
        ExpiresAt = expiresAt;
    }

    public LimiterEngine Owner { get; }

    public BucketKey Bucket { get; }

    /// <summary>Gets the model the request names, for its output estimate.</summary>
    public string Model { get; }

    /// <summary>Gets the output hold the caller asked for (<see cref="RequestCost.LearnedOutputTokens"/>), before any output estimate.</summary>
    public int AskedOutputHold { get; }

    /// <summary>
    /// Gets or sets what the waiter will hold once admitted: its output hold follows the output estimate while it waits,
    /// and becomes its whole <c>max_tokens</c> when its bucket switches (under the lock).
    /// </summary>
    public RequestCost Cost { get; set; }

    public long EnqueuedAt { get; }

    /// <summary>Gets the class the waiter queues in (its lane belongs to that class's ring).</summary>
    public RequestPriority Priority { get; init; }

    /// <summary>Gets the id of the concurrency lease the waiter holds once admitted (its permit's id).</summary>
    public long LeaseId { get; }

    /// <summary>Gets or sets the store's last decision for the waiter (why it waits; under the lock).</summary>
    public AdmissionDecision LastDecision { get; set; }

    /// <summary>Gets the last moment the waiter may be admitted: the earlier of <c>MaxQueueWait</c> and the request's deadline.</summary>
    public long ExpiresAt { get; }

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Gets or sets a value indicating whether the waiter is in a lane (set and read under the limiter's lock).</summary>
    public bool IsQueued { get; set; }

    public Lane? Lane { get; set; }

    /// <summary>Gets the waiter queued after this one in its lane, or null.</summary>
    public Waiter? Next { get; private set; }

    /// <summary>Gets the waiter queued before this one in its lane, or null.</summary>
    public Waiter? Previous { get; private set; }

    public ValueTask<Permit> Task => new(this, _core.Version);

    public void Succeed(Permit permit)
    {
        Registration.Unregister();
        _core.SetResult(permit);
    }

    public void Fail(Exception exception)
    {
        Registration.Unregister();
        _core.SetException(exception);
    }

    Permit IValueTaskSource<Permit>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<Permit>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<Permit>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>How waiters link into their lane.</summary>
    public readonly struct Links : INodeLinks<Waiter>
    {
        public static Waiter? NextOf(Waiter item) => item.Next;

        public static Waiter? PreviousOf(Waiter item) => item.Previous;

        public static void SetNext(Waiter item, Waiter? next) => item.Next = next;

        public static void SetPrevious(Waiter item, Waiter? previous) => item.Previous = previous;
    }
}
