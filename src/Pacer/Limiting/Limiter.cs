using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The Anthropic-aware limiter: admits a request when the operator's policy (requests per minute, concurrency,
/// token budgets), every learned upstream budget and any cooldown allow it, serving waiting callers round-robin.
/// Its numbers live in an <see cref="ILimiterStore"/> (in memory by default; shared by several processes on Redis);
/// the queue and the accounting rules are its own. Thread-safe. See <c>docs/LIMITER.md</c>.
/// </summary>
public sealed partial class Limiter : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILimiterStore _store;
    private readonly bool _ownsStore;
    private readonly AdmissionPump _pump;
    private readonly FairQueue _queue;
    private readonly PermitPool _pool = new();
    private readonly OutputAccountingLearner _accounting = new();
    private readonly UncountedPermits _uncounted = new();
    private readonly LeaseRenewal? _renewal;
    private readonly Action<LimiterPermit> _confirm;
    private readonly ILogger? _logger;
    private readonly double _ticksPerTimestamp;
    private PacerOptions _options;
    private BudgetChange _confirmed;
    private long _lastLeaseId;
    private bool _disposed;

    /// <summary>Creates a limiter with the given policy.</summary>
    /// <param name="options">The operator's policy; validated.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="store">Where the numbers live; by default a new <see cref="InMemoryLimiterStore"/> of this limiter's own (on <paramref name="timeProvider"/>).</param>
    /// <param name="modelClasses">Which models share limits; <see cref="ModelClassMap.Default"/> by default.</param>
    /// <param name="estimator">The input-token estimator; a new <see cref="InputTokenEstimator"/> by default.</param>
    /// <param name="outputEstimator">The output-token estimator used when <c>OutputReservation</c> is <c>estimate</c> or <c>auto</c>; a new one by default.</param>
    /// <param name="logger">Where the limiter reports what it learns about the upstream and a store's failures; none by default.</param>
    /// <exception cref="PacerOptionsException">A setting is out of range.</exception>
    public Limiter(
        PacerOptions options,
        TimeProvider? timeProvider = null,
        ILimiterStore? store = null,
        ModelClassMap? modelClasses = null,
        InputTokenEstimator? estimator = null,
        OutputTokenEstimator? outputEstimator = null,
        ILogger? logger = null)
    {
        _logger = logger;
        ArgumentNullException.ThrowIfNull(options);
        _options = PacerOptionsValidator.ThrowIfInvalid(options);
        TimeProvider = timeProvider ?? TimeProvider.System;
        InstanceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _ownsStore = store is null;
        _store = store ?? new InMemoryLimiterStore(TimeProvider);
        _confirm = permit => _confirmed += Accounting.Confirm(permit.Held, permit.Counted);
        ModelClasses = modelClasses ?? ModelClassMap.Default;
        Estimator = estimator ?? new InputTokenEstimator();
        OutputEstimator = outputEstimator ?? new OutputTokenEstimator();
        // A multiplication, not a division, on every admission and release; exact for timestamps below 2^53.
        _ticksPerTimestamp = TimeProvider.TimestampFrequency == TimeSpan.TicksPerSecond ? 0 : (double)TimeSpan.TicksPerSecond / TimeProvider.TimestampFrequency;
        _pump = new AdmissionPump(this, _gate, _store, TimeProvider);
        _queue = _pump.Queue;
        if (_store.LeaseTimeToLive is { } ttl)
        {
            _renewal = new LeaseRenewal(_store, InstanceId, ttl, TimeProvider, _gate, logger);
        }

        if (!_ownsStore)
        {
            _store.CapacityFreed += OnCapacityFreed;
        }
    }

    /// <summary>Gets the policy in force.</summary>
    public PacerOptions Options => Volatile.Read(ref _options);

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets this limiter's id in its store: the owner of its concurrency leases (random, not secret).</summary>
    public string InstanceId { get; }

    /// <summary>Gets the running totals, which the faces (handler, gateway) increment; the limiter counts its own rejections.</summary>
    public PacerTotals Totals { get; } = new();

    /// <summary>Gets the map from model names to the classes whose limits they share.</summary>
    public ModelClassMap ModelClasses { get; }

    /// <summary>Gets the input-token estimator (calibrate it with each response's <c>usage.input_tokens</c>).</summary>
    public InputTokenEstimator Estimator { get; }

    /// <summary>Gets the output-token estimator (calibrate it with each response's <c>usage.output_tokens</c>).</summary>
    public OutputTokenEstimator OutputEstimator { get; }

    /// <summary>Gets the requests in flight (the snapshot's <c>CurrentRequests</c>); no allocation.</summary>
    public int InFlight => Load().CurrentRequests;

    /// <summary>Gets the requests waiting for admission (the snapshot's <c>QueuedRequests</c>); no lock, no allocation.</summary>
    public int Queued => _queue.Count;

    /// <summary>Gets the requests of one priority class waiting for admission; no lock, no allocation.</summary>
    public int QueuedOf(RequestPriority priority) => _queue.CountOf(priority);

    /// <summary>Gets the admissions in the last 60 seconds (the snapshot's <c>RequestsInLastMinute</c>); no allocation.</summary>
    public int RequestsInLastMinute => Load().RecentRequests;

    /// <summary>Gets the budgets a request for <paramref name="model"/> through <paramref name="upstreamKey"/> draws on.</summary>
    public BucketKey BucketOf(string upstreamKey, string model) => new(upstreamKey, ModelClasses.ClassOf(model));

    /// <summary>
    /// Waits until the request is admitted. Throws <see cref="PacerRejectedException"/> when it cannot be admitted in
    /// time (at once when that is already known) and <see cref="OperationCanceledException"/> when cancelled.
    /// Dispose the permit when the response has been read to its end.
    /// </summary>
    public ValueTask<Permit> AcquireAsync(AcquireRequest request, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Permit>(cancellationToken);
        }

        var bucket = BucketOf(request.UpstreamKey, request.Model);
        Waiter? waiter = null;
        RequestCost cost;
        long leaseId;
        lock (_gate)
        {
            var now = Now();
            var policy = _options;
            if (_disposed)
            {
                return Refuse(Rejections.ShuttingDown());
            }

            if (request.Deadline is { } deadline && deadline < TimeProvider.GetUtcNow())
            {
                return Refuse(Rejections.DeadlinePassed());
            }

            cost = CostOf(request, bucket, policy);
            leaseId = ++_lastLeaseId;
            if (_pump.TryHold())
            {
                // Nobody waits: ask the store for this request alone.
                _pump.Batch.Policy = policy;
                _pump.Batch.Add(new AdmissionCandidate(bucket, leaseId, cost));
            }
            else
            {
                // Others wait or a pass runs: queue behind them; the pass decides.
                if (_queue.Count >= policy.MaxQueueLength)
                {
                    return Refuse(Rejections.QueueFull(_queue.Count, default, policy));
                }

                var expiresAt = ExpiryOf(request, policy, now);
                if (expiresAt <= now)
                {
                    return Refuse(Rejections.TooLate(default, passed: false));
                }

                waiter = Enqueue(request, bucket, cost, leaseId, now, expiresAt, cancellationToken);
            }
        }

        if (waiter is not null)
        {
            _pump.Kick(released: false);
            return waiter.Task;
        }

        var decided = _store.AdmitAsync(_pump.Batch, CancellationToken.None);
        return decided.IsCompletedSuccessfully
            ? FinishArrival(request, bucket, cost, leaseId, cancellationToken)
            : FinishArrivalAsync(decided, request, bucket, cost, leaseId, cancellationToken);
    }

    /// <summary>
    /// Admits the request only if it can be admitted now, without waiting and without passing anyone queued. With a
    /// store shared over a network this blocks the calling thread for the store's answer.
    /// </summary>
    public bool TryAcquire(AcquireRequest request, [NotNullWhen(true)] out Permit? permit)
    {
        permit = null;
        var bucket = BucketOf(request.UpstreamKey, request.Model);
        RequestCost cost;
        long leaseId;
        lock (_gate)
        {
            if (_disposed || !_pump.TryHold())
            {
                return false;
            }

            cost = CostOf(request, bucket, _options);
            leaseId = ++_lastLeaseId;
            _pump.Batch.Policy = _options;
            _pump.Batch.Add(new AdmissionCandidate(bucket, leaseId, cost));
        }

        var decision = DecideHeld();
        bool run;
        lock (_gate)
        {
            var now = Now();
            Learned(bucket, decision);
            if (decision.Admitted)
            {
                permit = Rent(bucket, cost, leaseId, now, queueTicks: 0);
            }

            run = _pump.Settle(_pump.NoteShared(decision, now), now);
        }

        if (run)
        {
            _pump.Run();
        }

        return permit is not null;
    }

    /// <summary>
    /// Tells whether the request could be admitted now (nobody queued and every budget allows it), taking nothing.
    /// With a store shared over a network this blocks the calling thread for the store's answer.
    /// </summary>
    public bool WouldAdmit(AcquireRequest request)
    {
        var bucket = BucketOf(request.UpstreamKey, request.Model);
        lock (_gate)
        {
            if (_disposed || !_pump.TryHold())
            {
                return false;
            }

            _pump.Batch.Policy = _options;
            _pump.Batch.LookOnly = true;
            _pump.Batch.Add(new AdmissionCandidate(bucket, 0, CostOf(request, bucket, _options)));
        }

        var decision = DecideHeld();
        bool run;
        lock (_gate)
        {
            run = _pump.Release(Now());
        }

        if (run)
        {
            _pump.Run();
        }

        return decision.Admitted;
    }

    /// <summary>Applies a partial update whole or not at all; throws <see cref="PacerOptionsException"/> listing every invalid field.</summary>
    /// <returns>The policy now in force.</returns>
    public PacerOptions Reconfigure(PacerOptionsUpdate update, SettingNaming naming = SettingNaming.Json)
    {
        ArgumentNullException.ThrowIfNull(update);
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

    /// <summary>Replaces the whole policy after validating it.</summary>
    public void Reconfigure(PacerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PacerOptionsValidator.ThrowIfInvalid(options);
        Swap(options);
    }

    /// <summary>Reads the load (in flight, admitted in the last minute, queued) without allocating.</summary>
    public LimiterLoad Load() => _store.ReadLoad() with { QueuedRequests = _queue.Count };

    /// <summary>Takes a snapshot of the state (see <see cref="LimiterSnapshot"/> for each field's meaning); with a networked store, blocks for its answer.</summary>
    public LimiterSnapshot Snapshot()
    {
        var snapshot = SnapshotAsync();
        return snapshot.IsCompletedSuccessfully ? snapshot.Result : snapshot.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Takes a snapshot of the state (see <see cref="LimiterSnapshot"/> for each field's meaning).</summary>
    public async ValueTask<LimiterSnapshot> SnapshotAsync(CancellationToken cancellationToken = default)
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
            QueuedInteractive = interactive,
            QueuedBatch = batch,
            UpstreamBuckets = state.Buckets,
            Totals = Totals.Snapshot(),
            Timestamp = TimeProvider.GetUtcNow(),
        };
    }

    /// <summary>Rejects every waiter with <see cref="RejectionReason.ShuttingDown"/>; later acquisitions are rejected too.</summary>
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
        if (!_ownsStore)
        {
            _store.CapacityFreed -= OnCapacityFreed;
        }

        foreach (var waiter in waiters)
        {
            Reject(waiter, Rejections.ShuttingDown());
        }
    }

    internal void Complete(LimiterPermit permit, TokenUsage usage)
    {
        BucketUpdate update;
        lock (_gate)
        {
            if (!permit.IsLive || permit.IsCompleted)
            {
                return;
            }

            update = new BucketUpdate(permit.Bucket, _options) { Change = Accounting.Complete(permit.Reserved, usage, permit.Counted) };
            permit.IsCompleted = true;
            permit.Held = new RequestCost(usage.RateLimitedInputTokens, usage.OutputTokens);
        }

        Send(update, released: false);
    }

    internal void Release(LimiterPermit permit)
    {
        BucketUpdate update;
        lock (_gate)
        {
            _uncounted.Remove(permit);
            _renewal?.Forget(permit.LeaseId);
            update = new BucketUpdate(permit.Bucket, _options)
            {
                Change = Accounting.Release(permit.Held, permit.IsCompleted, permit.Counted),
                LeaseOwner = InstanceId,
                FreeLease = permit.LeaseId,
            };
            _pool.Return(permit);
        }

        Send(update, released: true);
    }

    /// <summary>Reads the clock, in ticks.</summary>
    internal long Now()
    {
        var timestamp = TimeProvider.GetTimestamp();
        return _ticksPerTimestamp == 0 ? timestamp : (long)(timestamp * _ticksPerTimestamp);
    }

    /// <summary>Admits a waiter the pump chose, holding <paramref name="cost"/>. Under the lock.</summary>
    internal void Grant(Waiter waiter, RequestCost cost, long now) =>
        waiter.Succeed(Rent(waiter.Bucket, cost, waiter.LeaseId, now, now - waiter.EnqueuedAt));

    /// <summary>Fails a waiter with a rejection, counted in the totals.</summary>
    internal void Reject(Waiter waiter, PacerRejectedException rejection)
    {
        Totals.RequestRejected();
        waiter.Fail(rejection);
    }

    /// <summary>Gives back what the store took for a waiter that left (cancelled or expired) while the store decided. Outside the lock.</summary>
    internal void Unclaimed(AdmissionCandidate candidate)
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
    internal void StoreFailed(Exception exception)
    {
        if (_logger is not null)
        {
            LimiterLog.StoreFailed(_logger, exception.GetType().Name, exception.Message);
        }
    }

    private void OnCapacityFreed(object? sender, EventArgs e) => _pump.Kick(released: true);

    private Waiter Enqueue(AcquireRequest request, BucketKey bucket, RequestCost cost, long leaseId, long now, long expiresAt, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(this, bucket, request.Model, request.Cost.LearnedOutputTokens, cost, leaseId, now, expiresAt) { Priority = request.Priority };
        _queue.Enqueue(waiter, request.User);

        // Registered under the lock (which is reentrant): a token cancelled meanwhile runs Cancel right here, on a
        // queue in a consistent state.
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Owner.Cancel((Waiter)state!, token), waiter);
        }

        return waiter;
    }

    private ValueTask<Permit> FinishArrival(AcquireRequest request, BucketKey bucket, RequestCost cost, long leaseId, CancellationToken cancellationToken)
    {
        Waiter? waiter = null;
        Permit? permit = null;
        PacerRejectedException? refusal = null;
        bool run;
        lock (_gate)
        {
            var now = Now();
            var policy = _options;
            var decision = _pump.Batch.Decision(0);
            Learned(bucket, decision);
            var wakeAt = long.MaxValue;
            if (decision.Admitted)
            {
                permit = Rent(bucket, cost, leaseId, now, queueTicks: 0);
            }
            else
            {
                var expiresAt = ExpiryOf(request, policy, now);
                refusal = RefuseAtOnce(cost, decision, policy, now, expiresAt);
                if (refusal is null)
                {
                    waiter = Enqueue(request, bucket, cost, leaseId, now, expiresAt, cancellationToken);
                    waiter.LastDecision = decision;
                    wakeAt = decision.BlockedForAll ? _pump.NoteShared(decision, now) : now + decision.RetryAfter.Ticks;
                }
            }

            run = _pump.Settle(wakeAt, now);
        }

        if (run)
        {
            _pump.Run();
        }

        return permit is not null ? new ValueTask<Permit>(permit)
            : refusal is not null ? Refuse(refusal)
            : waiter!.Task;
    }

    private async ValueTask<Permit> FinishArrivalAsync(ValueTask decided, AcquireRequest request, BucketKey bucket, RequestCost cost, long leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await decided.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The store failed to decide: the request waits in the queue and the pump asks again.
            lock (_gate)
            {
                StoreFailed(exception);
                _pump.Batch.Decide(0, new AdmissionDecision(AdmissionStatus.Wait, TimeSpan.FromSeconds(1), AdmissionBlockers.None));
            }
        }

        return await FinishArrival(request, bucket, cost, leaseId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the store about the one candidate in the held batch, waiting for a networked store's answer.</summary>
    private AdmissionDecision DecideHeld()
    {
        var decided = _store.AdmitAsync(_pump.Batch, CancellationToken.None);
        if (!decided.IsCompletedSuccessfully)
        {
            try
            {
                decided.AsTask().GetAwaiter().GetResult();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                lock (_gate)
                {
                    StoreFailed(exception);
                }

                return new AdmissionDecision(AdmissionStatus.Wait, TimeSpan.FromSeconds(1), AdmissionBlockers.None);
            }
        }

        return _pump.Batch.Decision(0);
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        bool wasFirst;
        lock (_gate)
        {
            if (!waiter.IsQueued)
            {
                return;
            }

            wasFirst = _queue.Remove(waiter);
            waiter.Fail(new OperationCanceledException("The wait for admission was cancelled.", token));
        }

        // Only a lane's first waiter can have held others back (its bucket closed to them in a pass).
        if (wasFirst)
        {
            _pump.Kick(released: false);
        }
    }

    private void Swap(PacerOptions options)
    {
        bool forget;
        lock (_gate)
        {
            // What auto learned is forgotten when the operator chooses the reservation again.
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

    /// <summary>Sends an update to the store outside the lock, then lets the waiters look again.</summary>
    private void Send(BucketUpdate update, bool released)
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

    private LimiterPermit Rent(BucketKey bucket, RequestCost cost, long leaseId, long now, long queueTicks)
    {
        var permit = _pool.Rent();
        permit.Activate(this, bucket, leaseId, cost, now, queueTicks);
        _uncounted.Add(permit);
        _renewal?.Track(leaseId);
        return permit;
    }

    private long ExpiryOf(AcquireRequest request, PacerOptions policy, long now)
    {
        var expiresAt = now + policy.MaxQueueWaitTime.Ticks;
        if (request.Deadline is { } deadline)
        {
            var left = (deadline - TimeProvider.GetUtcNow()).Ticks;
            expiresAt = Math.Min(expiresAt, now + Math.Max(-1, left));
        }

        return expiresAt;
    }

    private PacerRejectedException? RefuseAtOnce(RequestCost cost, AdmissionDecision decision, PacerOptions policy, long now, long expiresAt)
    {
        if (decision.Status == AdmissionStatus.TooLarge)
        {
            return Rejections.TooLarge(cost, decision);
        }

        if (_queue.Count >= policy.MaxQueueLength)
        {
            return Rejections.QueueFull(_queue.Count, decision, policy);
        }

        // A wait known to outlast the deadline or MaxQueueWait fails now rather than later.
        var tooLate = !decision.Admitted && (expiresAt <= now || now + decision.RetryAfter.Ticks > expiresAt);
        return tooLate ? Rejections.TooLate(decision, passed: false) : null;
    }

    private ValueTask<Permit> Refuse(PacerRejectedException rejection)
    {
        Totals.RequestRejected();
        return ValueTask.FromException<Permit>(rejection);
    }
}
