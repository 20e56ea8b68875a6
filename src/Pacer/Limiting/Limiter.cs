using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The Anthropic-aware limiter: admits a request when the operator's policy (requests per minute, concurrency,
/// token budgets), every learned upstream budget and any cooldown allow it, serving waiting callers round-robin.
/// Thread-safe. See <c>docs/LIMITER.md</c>.
/// </summary>
public sealed partial class Limiter : IDisposable
{
    /// <summary>How often waiters blocked by concurrency look again when the store was given (it may be shared).</summary>
    private static readonly TimeSpan SharedStorePoll = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly ILimiterStore _store;
    private readonly AdmissionPump _pump;
    private readonly FairQueue _queue;
    private readonly PermitPool _pool = new();
    private readonly OutputAccountingLearner _accounting = new();
    private readonly UncountedPermits _uncounted = new();
    private readonly Action<LimiterPermit> _confirm;
    private readonly ILogger? _logger;
    private readonly double _ticksPerTimestamp;
    private PacerOptions _options;
    private long _lastNow;
    private bool _disposed;

    /// <summary>Creates a limiter with the given policy.</summary>
    /// <param name="options">The operator's policy; validated.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="store">Where the state lives; by default this limiter's own in-memory state (an <see cref="InMemoryLimiterStore"/> may be shared).</param>
    /// <param name="modelClasses">Which models share limits; <see cref="ModelClassMap.Default"/> by default.</param>
    /// <param name="estimator">The input-token estimator; a new <see cref="InputTokenEstimator"/> by default.</param>
    /// <param name="outputEstimator">The output-token estimator used when <c>OutputReservation</c> is <c>estimate</c> or <c>auto</c>; a new one by default.</param>
    /// <param name="logger">Where the limiter reports what it learns about the upstream (a Warning when <c>auto</c> switches a bucket to <c>max_tokens</c>); none by default.</param>
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
        _store = store ?? new UnsharedLimiterStore();
        _confirm = permit => _store.Confirm(permit.Bucket, permit.Held, permit.Counted, _lastNow);
        ModelClasses = modelClasses ?? ModelClassMap.Default;
        Estimator = estimator ?? new InputTokenEstimator();
        OutputEstimator = outputEstimator ?? new OutputTokenEstimator();
        // A multiplication, not a division, on every admission and release; exact for timestamps below 2^53.
        _ticksPerTimestamp = TimeProvider.TimestampFrequency == TimeSpan.TicksPerSecond ? 0 : (double)TimeSpan.TicksPerSecond / TimeProvider.TimestampFrequency;
        _pump = new AdmissionPump(this, _store, TimeProvider, store is null ? TimeSpan.Zero : SharedStorePoll);
        _queue = _pump.Queue;
    }

    /// <summary>Gets the policy in force.</summary>
    public PacerOptions Options => Volatile.Read(ref _options);

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the running totals, which the faces (handler, gateway) increment; the limiter counts its own rejections.</summary>
    public PacerTotals Totals { get; } = new();

    /// <summary>Gets the map from model names to the classes whose limits they share.</summary>
    public ModelClassMap ModelClasses { get; }

    /// <summary>Gets the input-token estimator (calibrate it with each response's <c>usage.input_tokens</c>).</summary>
    public InputTokenEstimator Estimator { get; }

    /// <summary>Gets the output-token estimator (calibrate it with each response's <c>usage.output_tokens</c>).</summary>
    public OutputTokenEstimator OutputEstimator { get; }

    /// <summary>Gets the requests in flight (the snapshot's <c>CurrentRequests</c>); a brief lock, no allocation.</summary>
    public int InFlight => Load().CurrentRequests;

    /// <summary>Gets the requests waiting for admission (the snapshot's <c>QueuedRequests</c>); no lock, no allocation.</summary>
    public int Queued => _queue.Count;

    /// <summary>Gets the requests of one priority class waiting for admission; no lock, no allocation.</summary>
    public int QueuedOf(RequestPriority priority) => _queue.CountOf(priority);

    /// <summary>Gets the admissions in the last 60 seconds (the snapshot's <c>RequestsInLastMinute</c>); a brief lock, no allocation.</summary>
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
        Waiter waiter;
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

            // Nobody waits: take the fast path. Otherwise only look, so that the queue's order is kept.
            var cost = CostOf(request, bucket, policy);
            var decision = _store.TryAdmit(bucket, cost, policy, now, commit: _queue.Count == 0);
            if (decision.Admitted && _queue.Count == 0)
            {
                return new ValueTask<Permit>(Rent(bucket, cost, now, queueTicks: 0));
            }

            var expiresAt = ExpiryOf(request, policy, now);
            if (RefuseAtOnce(cost, decision, policy, now, expiresAt) is { } rejection)
            {
                return Refuse(rejection);
            }

            waiter = new Waiter(this, bucket, request.Model, request.Cost.LearnedOutputTokens, cost, now, expiresAt) { Priority = request.Priority };
            _queue.Enqueue(waiter, request.User);

            // When a limit shared by every request blocks this one, it blocks the rest too: no pass can admit anyone
            // now, only the timer must cover this waiter's expiry and the shared wait.
            if (decision.BlockedForAll)
            {
                _pump.ArmNoLaterThan(Math.Min(expiresAt + 1, _pump.SharedWakeAt(decision, now)), now);
            }
            else
            {
                Pump(now);
            }

            // Registered under the lock (which is reentrant): a token cancelled meanwhile runs Cancel right here,
            // on a queue in a consistent state.
            if (waiter.IsQueued && cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Owner.Cancel((Waiter)state!, token), waiter);
            }
        }

        return waiter.Task;
    }

    /// <summary>Admits the request only if it can be admitted now, without waiting and without passing anyone queued.</summary>
    public bool TryAcquire(AcquireRequest request, [NotNullWhen(true)] out Permit? permit)
    {
        var bucket = BucketOf(request.UpstreamKey, request.Model);
        lock (_gate)
        {
            var now = Now();
            var cost = CostOf(request, bucket, _options);
            if (!_disposed && _queue.Count == 0 && _store.TryAdmit(bucket, cost, _options, now, commit: true).Admitted)
            {
                permit = Rent(bucket, cost, now, queueTicks: 0);
                return true;
            }
        }

        permit = null;
        return false;
    }

    /// <summary>Tells whether the request could be admitted now (nobody queued and every budget allows it), taking nothing.</summary>
    public bool WouldAdmit(AcquireRequest request)
    {
        var bucket = BucketOf(request.UpstreamKey, request.Model);
        lock (_gate)
        {
            return !_disposed && _queue.Count == 0 && _store.TryAdmit(bucket, CostOf(request, bucket, _options), _options, Now(), commit: false).Admitted;
        }
    }

    /// <summary>Applies a partial update whole or not at all; throws <see cref="PacerOptionsException"/> listing every invalid field.</summary>
    /// <returns>The policy now in force.</returns>
    public PacerOptions Reconfigure(PacerOptionsUpdate update, SettingNaming naming = SettingNaming.Json)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            var candidate = update.ApplyTo(_options, naming, out var errors);
            if (errors.Count > 0)
            {
                throw new PacerOptionsException(errors);
            }

            Swap(PacerOptionsValidator.ThrowIfInvalid(candidate, naming));
            return candidate;
        }
    }

    /// <summary>Replaces the whole policy after validating it.</summary>
    public void Reconfigure(PacerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PacerOptionsValidator.ThrowIfInvalid(options);
        lock (_gate)
        {
            Swap(options);
        }
    }

    /// <summary>Reads the load (in flight, admitted in the last minute, queued) without allocating.</summary>
    public LimiterLoad Load()
    {
        lock (_gate)
        {
            return _store.Load(Now()) with { QueuedRequests = _queue.Count };
        }
    }

    /// <summary>Takes a snapshot of the state (see <see cref="LimiterSnapshot"/> for each field's meaning).</summary>
    public LimiterSnapshot Snapshot()
    {
        lock (_gate)
        {
            var wallNow = TimeProvider.GetUtcNow();
            var state = _store.Snapshot(_options, Now(), wallNow);
            return new LimiterSnapshot
            {
                RecentRequests = state.RequestsInWindow,
                CurrentRequests = state.InFlight,
                RequestsInLastMinute = state.RequestsInWindow,
                TimeUntilReset = (long)Math.Ceiling(state.UntilOldestLeaves.TotalMilliseconds),
                QueuedRequests = _queue.Count,
                QueuedUsers = _queue.DistinctUsers,
                QueuedInteractive = _queue.CountOf(RequestPriority.Interactive),
                QueuedBatch = _queue.CountOf(RequestPriority.Batch),
                UpstreamBuckets = state.Buckets,
                Totals = Totals.Snapshot(),
                Timestamp = wallNow,
            };
        }
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

        foreach (var waiter in waiters)
        {
            Reject(waiter, Rejections.ShuttingDown());
        }
    }

    internal void Complete(LimiterPermit permit, TokenUsage usage)
    {
        lock (_gate)
        {
            if (!permit.IsLive || permit.IsCompleted)
            {
                return;
            }

            var now = Now();
            _store.Complete(permit.Bucket, permit.Reserved, usage, permit.Counted, _options, now);
            permit.IsCompleted = true;
            permit.Held = new RequestCost(usage.RateLimitedInputTokens, usage.OutputTokens);
            Pump(now);
        }
    }

    internal void Release(LimiterPermit permit)
    {
        lock (_gate)
        {
            // A release only refunds, and a refund commutes with a refill (both lower a debt with a floor at zero), so
            // the last clock reading serves unless someone waits: an uncontended admission reads the clock once.
            var now = _queue.Count > 0 ? Now() : _lastNow;
            _uncounted.Remove(permit);
            _store.Release(permit.Bucket, permit.Held, permit.IsCompleted, permit.Counted, _options, now);
            _pool.Return(permit);
            Pump(now);
        }
    }

    /// <summary>Reads the clock, in ticks; under the lock, so the last reading is kept.</summary>
    internal long Now()
    {
        var timestamp = TimeProvider.GetTimestamp();
        return _lastNow = _ticksPerTimestamp == 0 ? timestamp : (long)(timestamp * _ticksPerTimestamp);
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_gate)
        {
            if (!waiter.IsQueued)
            {
                return;
            }

            var wasFirst = _queue.Remove(waiter);
            waiter.Fail(new OperationCanceledException("The wait for admission was cancelled.", token));

            // Only a lane's first waiter can have held others back (its bucket closed to them in a pass).
            if (wasFirst)
            {
                Pump(Now());
            }
        }
    }

    internal void OnTimer()
    {
        lock (_gate)
        {
            _pump.TimerFired();
            if (!_disposed)
            {
                Pump(Now());
            }
        }
    }

    private void Swap(PacerOptions options)
    {
        // What auto learned is forgotten when the operator chooses the reservation again.
        if (options.OutputReservation != _options.OutputReservation)
        {
            _accounting.Clear();
        }

        Volatile.Write(ref _options, options);
        Pump(Now());
    }

    private void Pump(long now) => _pump.Pump(_options, now);

    /// <summary>Admits a waiter the pump chose. Under the lock.</summary>
    internal void Grant(Waiter waiter, long now) =>
        waiter.Succeed(Rent(waiter.Bucket, waiter.Cost, now, now - waiter.EnqueuedAt));

    /// <summary>Fails a waiter with a rejection, counted in the totals.</summary>
    internal void Reject(Waiter waiter, PacerRejectedException rejection)
    {
        Totals.RequestRejected();
        waiter.Fail(rejection);
    }

    private LimiterPermit Rent(BucketKey bucket, RequestCost cost, long now, long queueTicks)
    {
        var permit = _pool.Rent();
        permit.Activate(this, bucket, cost, now, queueTicks);
        _uncounted.Add(permit);
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
