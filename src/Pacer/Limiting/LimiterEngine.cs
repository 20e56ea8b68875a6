using Microsoft.Extensions.Logging;
using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The limiter's state and rules behind the public <see cref="Limiter"/>: the policy, the fair queue and its admission
/// pump, the pooled permits, the permits the server has not yet counted, what was learned of the upstream's output
/// accounting, and the lease renewal. The numbers live in an <see cref="ILimiterStore"/>. One lock guards the engine.
/// A store of the engine's own (the default) shares that lock and answers at once, so an uncontended admission, release
/// or completion takes the lock once and calls that store inside it; any other store is called outside the lock.
/// Thread-safe.
/// </summary>
internal sealed partial class LimiterEngine : IAdmissionHost, IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILimiterStore _store;

    // The store of this engine's own, on the engine's lock: called under the lock. Null when the store was given.
    private readonly InMemoryLimiterStore? _own;
    private readonly AdmissionPump _pump;
    private readonly FairQueue _queue;
    private readonly PermitPool _pool = new();
    private readonly OutputAccountingLearner _accounting = new();
    private readonly UncountedPermits _uncounted = new();
    private readonly LeaseRenewal? _renewal;
    private readonly Action<LimiterPermit> _confirm;
    private readonly Func<LimiterPermit, bool> _lowerToEstimate;
    private readonly ILogger? _logger;
    private readonly double _ticksPerTimestamp;
    private PacerOptions _options;
    private BudgetChange _confirmed;
    private long _lastLeaseId;
    private int _held;
    private bool _disposed;

    /// <summary>Creates an engine under a validated policy; with no <paramref name="store"/>, on a store of its own.</summary>
    public LimiterEngine(
        PacerOptions options,
        TimeProvider timeProvider,
        ILimiterStore? store,
        ModelClassMap modelClasses,
        InputTokenEstimator estimator,
        OutputTokenEstimator outputEstimator,
        ILogger? logger)
    {
        _logger = logger;
        _options = options;
        TimeProvider = timeProvider;
        InstanceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        if (store is null)
        {
            _own = new InMemoryLimiterStore(TimeProvider, _gate);
        }

        _store = store ?? _own!;
        _confirm = permit => _confirmed += Accounting.Confirm(permit.Held, permit.Counted);
        _lowerToEstimate = LowerToEstimate;
        ModelClasses = modelClasses;
        Estimator = estimator;
        OutputEstimator = outputEstimator;

        // A multiplication, not a division, on every admission and release; exact for timestamps below 2^53.
        _ticksPerTimestamp = TimeProvider.TimestampFrequency == TimeSpan.TicksPerSecond ? 0 : (double)TimeSpan.TicksPerSecond / TimeProvider.TimestampFrequency;
        _pump = new AdmissionPump(this, _gate, _store, TimeProvider);
        _queue = _pump.Queue;
        if (_store.LeaseTimeToLive is { } ttl)
        {
            _renewal = new LeaseRenewal(_store, InstanceId, ttl, TimeProvider, _gate, logger);
        }

        if (_own is null)
        {
            _store.CapacityFreed += OnCapacityFreed;
        }
    }

    public PacerOptions Options => Volatile.Read(ref _options);

    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the engine's id in its store: the owner of its concurrency leases (random, not secret).</summary>
    public string InstanceId { get; }

    public PacerTotals Totals { get; } = new();

    public ModelClassMap ModelClasses { get; }

    public InputTokenEstimator Estimator { get; }

    public OutputTokenEstimator OutputEstimator { get; }

    public int Queued => _queue.Count;

    public int QueuedOf(RequestPriority priority) => _queue.CountOf(priority);

    public BucketKey BucketOf(string upstreamKey, string model) => new(upstreamKey, ModelClasses.ClassOf(model));

    /// <summary>Swaps a policy already validated: what auto learned is forgotten when the reservation is chosen again.</summary>
    public void Swap(PacerOptions options)
    {
        bool forget;
        lock (_gate)
        {
            forget = options.OutputReservation != _options.OutputReservation;
            if (forget)
            {
                _accounting.Clear();
            }

            Volatile.Write(ref _options, options);

            // A new policy may open any limit, the shared ones included.
            _pump.Reopen();
        }

        if (forget)
        {
            var forgotten = _store.ForgetOutputAccountingAsync();
            if (!forgotten.IsCompletedSuccessfully)
            {
                forgotten.AsTask().GetAwaiter().GetResult();
            }
        }

        _pump.Kick(released: true);
    }

    /// <summary>Applies a partial update whole or not at all, validated against the policy in force when it applies.</summary>
    public PacerOptions Reconfigure(PacerOptionsUpdate update, SettingNaming naming)
    {
        PacerOptions candidate;
        lock (_gate)
        {
            candidate = update.ApplyTo(_options, naming, out var errors);
            if (errors.Count > 0)
            {
                throw new PacerOptionsException(errors);
            }

            PacerOptionsValidator.ThrowIfInvalid(candidate, naming);
        }

        Swap(candidate);
        return candidate;
    }

    public LimiterLoad Load() => _store.ReadLoad() with { QueuedRequests = _queue.Count };

    public async ValueTask<LimiterSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var state = await _store.SnapshotAsync(Options, cancellationToken).ConfigureAwait(false);
        int queued, users, interactive, batch;
        lock (_gate)
        {
            queued = _queue.Count;
            users = _queue.DistinctUsers;
            interactive = _queue.CountOf(RequestPriority.Interactive);
            batch = _queue.CountOf(RequestPriority.Batch);
        }

        return new LimiterSnapshot
        {
            RecentRequests = state.RequestsInWindow,
            CurrentRequests = state.InFlight,
            RequestsInLastMinute = state.RequestsInWindow,
            TimeUntilReset = (long)Math.Ceiling(state.UntilOldestLeaves.TotalMilliseconds),
            QueuedRequests = queued,
            QueuedUsers = users,
            InstanceId = InstanceId,
            InstanceRequests = Volatile.Read(ref _held),
            QueuedInteractive = interactive,
            QueuedBatch = batch,
            UpstreamBuckets = state.Buckets,
            Totals = Totals.Snapshot(),
            Timestamp = TimeProvider.GetUtcNow(),
        };
    }

    public void Dispose()
    {
        List<Waiter> waiters;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            waiters = _pump.Stop();
        }

        _renewal?.Dispose();
        if (_own is null)
        {
            _store.CapacityFreed -= OnCapacityFreed;
        }

        foreach (var waiter in waiters)
        {
            Reject(waiter, Rejections.ShuttingDown());
        }
    }

    public void Complete(LimiterPermit permit, TokenUsage usage)
    {
        BucketKey bucket;
        BudgetChange change;
        PacerOptions policy;
        lock (_gate)
        {
            if (!permit.IsLive || permit.IsCompleted)
            {
                return;
            }

            bucket = permit.Bucket;
            policy = _options;
            change = Accounting.Complete(permit.Reserved, usage, permit.Counted);
            permit.IsCompleted = true;
            _accounting.Completed(permit, usage, Now());
            permit.Held = new RequestCost(usage.RateLimitedInputTokens, usage.OutputTokens);
            _own?.Update(bucket, policy, change, InstanceId, freeLease: 0);
        }

        Sent(bucket, policy, change, freeLease: 0, released: false);
    }

    public void Release(LimiterPermit permit)
    {
        BucketKey bucket;
        BudgetChange change;
        PacerOptions policy;
        long leaseId;
        lock (_gate)
        {
            _uncounted.Remove(permit);
            _accounting.Released(permit);
            _renewal?.Forget(permit.LeaseId);
            _held--;
            bucket = permit.Bucket;
            policy = _options;
            leaseId = permit.LeaseId;
            change = Accounting.Release(permit.Held, permit.IsCompleted, permit.Counted);
            _pool.Return(permit);
            _own?.Update(bucket, policy, change, InstanceId, leaseId);
        }

        Sent(bucket, policy, change, leaseId, released: true);
    }

    /// <summary>Reads the clock, in ticks.</summary>
    public long Now()
    {
        var timestamp = TimeProvider.GetTimestamp();
        return _ticksPerTimestamp == 0 ? timestamp : (long)(timestamp * _ticksPerTimestamp);
    }

    /// <summary>Admits a waiter the pump chose, holding <paramref name="cost"/>. Under the lock.</summary>
    public void Grant(Waiter waiter, RequestCost cost, long now) =>
        waiter.Succeed(Rent(waiter.Bucket, cost, waiter.LeaseId, now, now - waiter.EnqueuedAt, waiter.Model, waiter.AskedOutputHold));

    /// <summary>Fails a waiter with a rejection, counted in the totals.</summary>
    public void Reject(Waiter waiter, PacerRejectedException rejection)
    {
        Totals.RequestRejected();
        waiter.Fail(rejection);
    }

    /// <summary>Gives back what the store took for a waiter that left (cancelled or expired) while the store decided. Outside the lock.</summary>
    public void Unclaimed(AdmissionCandidate candidate)
    {
        BucketUpdate update;
        lock (_gate)
        {
            update = new BucketUpdate(candidate.Bucket, _options)
            {
                Change = Accounting.Release(candidate.Cost, completed: false, ServerCount.None),
                LeaseOwner = InstanceId,
                FreeLease = candidate.LeaseId,
            };
        }

        Send(update, released: true);
    }

    /// <summary>A pass failed in the store: logged; the waiters stay queued. Under the lock.</summary>
    public void StoreFailed(Exception exception)
    {
        if (_logger is not null)
        {
            LimiterLog.StoreFailed(_logger, exception.GetType().Name, exception.Message);
        }
    }

    private void OnCapacityFreed(object? sender, EventArgs e) => _pump.Kick(released: true);

    /// <summary>
    /// Outside the lock, after a completion or a release: a store of the engine's own took its change under the lock
    /// already; any other store is sent it now. Then the waiters look again.
    /// </summary>
    private void Sent(BucketKey bucket, PacerOptions policy, in BudgetChange change, long freeLease, bool released)
    {
        if (_own is not null)
        {
            _pump.Kick(released);
            return;
        }

        Send(new BucketUpdate(bucket, policy) { Change = change, LeaseOwner = freeLease == 0 ? null : InstanceId, FreeLease = freeLease }, released);
    }

    /// <summary>Sends an update to the store outside the lock, then lets the waiters look again.</summary>
    private void Send(in BucketUpdate update, bool released)
    {
        var sent = _store.UpdateAsync(update);
        if (sent.IsCompletedSuccessfully)
        {
            _pump.Kick(released);
            return;
        }

        _ = SendAsync(sent, released);
    }

    private async Task SendAsync(ValueTask sent, bool released)
    {
        try
        {
            await sent.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            lock (_gate)
            {
                StoreFailed(exception);
            }
        }

        _pump.Kick(released);
    }

    private LimiterPermit Rent(BucketKey bucket, RequestCost cost, long leaseId, long now, long queueTicks, string model, int askedOutputHold)
    {
        var permit = _pool.Rent();
        permit.Activate(this, bucket, leaseId, cost, now, queueTicks);
        _uncounted.Add(permit);
        if (LearnsAccounting && _options.LearnLimits)
        {
            permit.Model = model;
            permit.AskedOutputHold = askedOutputHold;
            _accounting.Admitted(permit);
        }

        _renewal?.Track(leaseId);
        _held++;
        return permit;
    }
}
