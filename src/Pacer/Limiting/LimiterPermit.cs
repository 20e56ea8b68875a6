namespace Pacer.Limiting;

/// <summary>
/// The limiter's permit. Pooled by its limiter, so an uncontended acquire and release allocate nothing: once disposed,
/// a permit must not be used again (a second <see cref="Permit.Dispose()"/> before reuse is ignored).
/// </summary>
internal sealed class LimiterPermit : Permit
{
    private LimiterEngine? _owner;

    public BucketKey Bucket { get; private set; }

    /// <summary>Gets the id of the permit and of its concurrency lease, unique for its limiter.</summary>
    public override long Id => LeaseId;

    public long LeaseId { get; private set; }

    /// <summary>Gets what the permit holds now: its reservation, or its real usage once completed.</summary>
    public RequestCost Held { get; set; }

    public bool IsCompleted { get; set; }

    /// <summary>Gets or sets what the server's count, as a response has told it, includes of this request.</summary>
    public ServerCount Counted { get; set; }

    /// <summary>Gets the permit admitted before this one in the limiter's list of permits not yet counted.</summary>
    public LimiterPermit? Earlier { get; private set; }

    /// <summary>Gets the permit admitted after this one in that list.</summary>
    public LimiterPermit? Later { get; private set; }

    /// <summary>Gets or sets a value indicating whether the permit is in that list.</summary>
    public bool IsListed { get; set; }

    /// <summary>Gets or sets a value indicating whether the output accounting learner follows it (its bucket's accounting is unproven).</summary>
    public bool IsWatched { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the permit holds its whole <c>max_tokens</c> from before its bucket was
    /// shown to count output as produced, and awaits an output estimate to hold instead.
    /// </summary>
    public bool AwaitsEstimate { get; set; }

    /// <summary>Gets or sets the model the request names, for its output estimate (kept while the learner follows it).</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Gets or sets the output hold the caller asked for, before any output estimate (kept while the learner follows it).</summary>
    public int AskedOutputHold { get; set; }

    /// <summary>Gets when it was admitted, in the limiter's monotonic ticks.</summary>
    public long AdmittedAt { get; private set; }

    public override TimeSpan QueueTime => TimeSpan.FromTicks(QueueTicks);

    public override RequestCost Reserved => ReservedCost;

    /// <summary>Gets a value indicating whether the permit is live (admitted and not yet disposed).</summary>
    public bool IsLive => Volatile.Read(ref _owner) is not null;

    /// <summary>Gets a value indicating whether the permit is live and was admitted by <paramref name="engine"/>.</summary>
    public bool IsHeldFrom(LimiterEngine engine) => ReferenceEquals(Volatile.Read(ref _owner), engine);

    private RequestCost ReservedCost { get; set; }

    private long QueueTicks { get; set; }

    public void Activate(LimiterEngine owner, BucketKey bucket, long leaseId, RequestCost cost, long admittedAt, long queueTicks)
    {
        LeaseId = leaseId;
        Bucket = bucket;
        ReservedCost = cost;
        Held = cost;
        IsCompleted = false;
        Counted = ServerCount.None;
        IsWatched = false;
        AwaitsEstimate = false;
        Model = string.Empty;
        AdmittedAt = admittedAt;
        QueueTicks = queueTicks;
        Volatile.Write(ref _owner, owner);
    }

    /// <summary>Lowers what the request holds against the learned output budget (not yet completed). Under the limiter's lock.</summary>
    public void LowerLearnedOutputHold(int hold)
    {
        ReservedCost = ReservedCost with { LearnedOutputTokens = hold };
        Held = ReservedCost;
    }

    public override void Complete(TokenUsage usage) => Volatile.Read(ref _owner)?.Complete(this, usage);

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _owner, null) is { } owner)
        {
            owner.Release(this);
        }
    }

    /// <summary>How permits link into the list of permits not yet counted.</summary>
    public readonly struct Links : INodeLinks<LimiterPermit>
    {
        public static LimiterPermit? NextOf(LimiterPermit item) => item.Later;

        public static LimiterPermit? PreviousOf(LimiterPermit item) => item.Earlier;

        public static void SetNext(LimiterPermit item, LimiterPermit? next) => item.Later = next;

        public static void SetPrevious(LimiterPermit item, LimiterPermit? previous) => item.Earlier = previous;
    }
}
