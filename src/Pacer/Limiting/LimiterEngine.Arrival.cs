using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The engine's arrivals: an acquisition decided alone while nobody waits (asking the store for it, inside the lock for
/// a store of the engine's own), queued behind the waiters otherwise, refused at once when its wait is known to be too
/// long; <see cref="TryAcquire"/> and <see cref="WouldAdmit"/>; and a waiter's cancellation.
/// </summary>
internal sealed partial class LimiterEngine
{
    public ValueTask<Permit> AcquireAsync(AcquireRequest request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Permit>(cancellationToken);
        }

        var bucket = BucketOf(request.UpstreamKey, request.Model);
        Waiter? waiter = null;
        var alone = default(Alone);
        var askStore = false;
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

            var candidate = new AdmissionCandidate(bucket, ++_lastLeaseId, CostOf(request, bucket, policy));
            if (_pump.TryHold())
            {
                // Nobody waits: ask the store for this request alone; a store of the engine's own answers here and now.
                _pump.Batch.Policy = policy;
                _pump.Batch.Add(candidate);
                askStore = _own is null;
                if (!askStore)
                {
                    _own!.Admit(_pump.Batch, now);
                    alone = Conclude(candidate, _pump.Batch.Decision(0), request, queueable: true, now, cancellationToken);
                }
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

                waiter = Enqueue(request, candidate, now, expiresAt, cancellationToken);
            }
        }

        if (waiter is not null)
        {
            _pump.Kick(released: false);
            return waiter.Task;
        }

        if (!askStore)
        {
            return Finish(alone);
        }

        var decided = _store.AdmitAsync(_pump.Batch, CancellationToken.None);
        return decided.IsCompletedSuccessfully
            ? FinishArrival(request, cancellationToken)
            : FinishArrivalAsync(decided, request, cancellationToken);
    }

    public bool TryAcquire(AcquireRequest request, out Permit? permit)
    {
        var bucket = BucketOf(request.UpstreamKey, request.Model);
        AdmissionCandidate candidate;
        var alone = default(Alone);
        lock (_gate)
        {
            if (_disposed || !_pump.TryHold())
            {
                permit = null;
                return false;
            }

            candidate = new AdmissionCandidate(bucket, ++_lastLeaseId, CostOf(request, bucket, _options));
            _pump.Batch.Policy = _options;
            _pump.Batch.Add(candidate);
            if (_own is not null)
            {
                var now = Now();
                _own.Admit(_pump.Batch, now);
                alone = Conclude(candidate, _pump.Batch.Decision(0), request, queueable: false, now, CancellationToken.None);
            }
        }

        if (_own is null)
        {
            // A given store is asked outside the lock.
            var decision = DecideHeld();
            lock (_gate)
            {
                alone = Conclude(candidate, decision, request, queueable: false, Now(), CancellationToken.None);
            }
        }

        if (alone.Run)
        {
            _pump.Run();
        }

        permit = alone.Permit;
        return permit is not null;
    }

    public bool WouldAdmit(AcquireRequest request)
    {
        var bucket = BucketOf(request.UpstreamKey, request.Model);
        var decision = default(AdmissionDecision);
        var run = false;
        lock (_gate)
        {
            if (_disposed || !_pump.TryHold())
            {
                return false;
            }

            _pump.Batch.Policy = _options;
            _pump.Batch.LookOnly = true;
            _pump.Batch.Add(new AdmissionCandidate(bucket, 0, CostOf(request, bucket, _options)));
            if (_own is not null)
            {
                var now = Now();
                _own.Admit(_pump.Batch, now);
                decision = _pump.Batch.Decision(0);
                run = _pump.Release(now);
            }
        }

        if (_own is null)
        {
            decision = DecideHeld();
            lock (_gate)
            {
                run = _pump.Release(Now());
            }
        }

        if (run)
        {
            _pump.Run();
        }

        return decision.Admitted;
    }

    private Waiter Enqueue(AcquireRequest request, in AdmissionCandidate candidate, long now, long expiresAt, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(this, candidate.Bucket, request.Model, request.Cost.LearnedOutputTokens, candidate.Cost, candidate.LeaseId, now, expiresAt) { Priority = request.Priority };
        _queue.Enqueue(waiter, request.User);

        // Registered under the lock (which is reentrant): a token cancelled meanwhile runs Cancel right here, on a
        // queue in a consistent state.
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Owner.Cancel((Waiter)state!, token), waiter);
        }

        return waiter;
    }

    /// <summary>
    /// Applies the store's decision for a lone candidate, the one decision the engine makes outside a pass (an arrival
    /// while nobody waits, or <see cref="TryAcquire"/>): learns from it; admits; or, for an arrival
    /// (<paramref name="queueable"/>), refuses at once or queues it; then gives the pump back. Under the lock.
    /// </summary>
    private Alone Conclude(in AdmissionCandidate candidate, AdmissionDecision decision, AcquireRequest request, bool queueable, long now, CancellationToken cancellationToken)
    {
        Learned(candidate.Bucket, decision);
        var alone = default(Alone);
        var wakeAt = long.MaxValue;
        if (decision.Admitted)
        {
            alone.Permit = Rent(candidate.Bucket, candidate.Cost, candidate.LeaseId, now, queueTicks: 0, request.Model, request.Cost.LearnedOutputTokens);
        }
        else if (!queueable)
        {
            wakeAt = _pump.NoteShared(decision, now);
        }
        else
        {
            var expiresAt = ExpiryOf(request, _options, now);
            alone.Refusal = RefuseAtOnce(candidate.Cost, decision, _options, now, expiresAt);
            if (alone.Refusal is null)
            {
                alone.Waiter = Enqueue(request, candidate, now, expiresAt, cancellationToken);
                alone.Waiter.LastDecision = decision;
                wakeAt = decision.BlockedForAll ? _pump.NoteShared(decision, now) : now + decision.RetryAfter.Ticks;
            }
        }

        alone.Run = _pump.Settle(wakeAt, now);
        return alone;
    }

    /// <summary>Hands a lone arrival's outcome to its caller, outside the lock (running the pass an event asked for meanwhile).</summary>
    private ValueTask<Permit> Finish(in Alone alone)
    {
        if (alone.Run)
        {
            _pump.Run();
        }

        return alone.Permit is { } permit ? new ValueTask<Permit>(permit)
            : alone.Refusal is { } refusal ? Refuse(refusal)
            : alone.Waiter!.Task;
    }

    private ValueTask<Permit> FinishArrival(AcquireRequest request, CancellationToken cancellationToken)
    {
        Alone alone;
        lock (_gate)
        {
            alone = Conclude(_pump.Batch.Candidate(0), _pump.Batch.Decision(0), request, queueable: true, Now(), cancellationToken);
        }

        return Finish(alone);
    }

    private async ValueTask<Permit> FinishArrivalAsync(ValueTask decided, AcquireRequest request, CancellationToken cancellationToken)
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

        return await FinishArrival(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks a given store about the one candidate in the held batch, waiting for a networked store's answer.</summary>
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
        var tooLate = expiresAt <= now || now + decision.RetryAfter.Ticks > expiresAt;
        return tooLate ? Rejections.TooLate(decision, passed: false) : null;
    }

    private ValueTask<Permit> Refuse(PacerRejectedException rejection)
    {
        Totals.RequestRejected();
        return ValueTask.FromException<Permit>(rejection);
    }

    /// <summary>What became of a lone candidate: a permit, a refusal, or a waiter; and whether a pass must run now.</summary>
    private struct Alone
    {
        public LimiterPermit? Permit;
        public PacerRejectedException? Refusal;
        public Waiter? Waiter;
        public bool Run;
    }
}
