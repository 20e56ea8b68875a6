using System.Net.Http.Headers;
using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>What the engine learns from the upstream: headers, cooldowns, and what a request holds against learned output budgets.</summary>
internal sealed partial class LimiterEngine
{
    /// <summary>
    /// How long before a response is read a request must have been admitted for the engine to take it as counted in
    /// that response's headers. The server writes its count when it sends the headers (at the end of a non-streaming
    /// answer, at the first event of a stream), so every request that reached it before then is in it; this allows for
    /// the way from admission to the server and back.
    /// </summary>
    public static readonly TimeSpan HeaderTransit = TimeSpan.FromMilliseconds(250);

    /// <summary>Corrects the upstream budgets of a bucket from a response's headers, when the policy learns limits.</summary>
    public void Observe(BucketKey bucket, HttpResponseHeaders headers)
    {
        if (Options.LearnLimits)
        {
            Observe(bucket, RateLimitObservation.FromHeaders(headers, TimeProvider.GetUtcNow()), permit: null, refused: false, answerComplete: false);
        }
    }

    /// <summary>Corrects the upstream budgets from the headers of the response to the request that holds <paramref name="permit"/>; ignores a permit not live here.</summary>
    public void Observe(Permit permit, HttpResponseHeaders headers, bool answerComplete)
    {
        if (permit is LimiterPermit own && own.IsHeldFrom(this) && Options.LearnLimits)
        {
            var refused = headers.NonValidated.Contains("retry-after") || headers.NonValidated.Contains("retry-after-ms");
            Observe(own.Bucket, RateLimitObservation.FromHeaders(headers, TimeProvider.GetUtcNow()), own, refused, answerComplete && !refused);
        }
    }

    /// <summary>Gets what a request of <paramref name="bucket"/> holds against the learned output budget now.</summary>
    public OutputReservation OutputReservationOf(BucketKey bucket)
    {
        lock (_gate)
        {
            return HoldsMaxTokens(bucket, _options) ? OutputReservation.MaxTokens : OutputReservation.Estimate;
        }
    }

    /// <summary>Corrects the upstream budgets of a bucket from parsed headers, when the policy learns limits.</summary>
    public void Observe(BucketKey bucket, RateLimitObservation observation)
    {
        if (Options.LearnLimits)
        {
            Observe(bucket, observation, permit: null, refused: false, answerComplete: false);
        }
    }

    /// <summary>Puts a bucket into cooldown: nothing is admitted for it until <paramref name="retryAfter"/> passes.</summary>
    public void Cooldown(BucketKey bucket, TimeSpan retryAfter)
    {
        string? evidence;
        BucketUpdate update;
        lock (_gate)
        {
            var now = Now();
            var beyondEmpty = LearnsAccounting ? _accounting.DebtBeyondEmpty(bucket, retryAfter, now) : 0;
            evidence = LearnsAccounting ? _accounting.Confirm(bucket, now) : null;
            update = new BucketUpdate(bucket, _options)
            {
                Cooldown = retryAfter,
                ReservesMaxTokens = evidence is not null,
                Change = beyondEmpty > 0 ? new BudgetChange(default, default, new BudgetDelta(beyondEmpty, 0), 0, 0) : default,
            };
        }

        Send(update, released: false);
        if (evidence is not null && _logger is not null)
        {
            LimiterLog.ReservesMaxTokens(_logger, bucket.UpstreamKey, bucket.ModelClass, evidence);
        }
    }

    /// <summary>Takes what the store knows of a bucket beyond this engine (another holder learned its accounting). Under the lock.</summary>
    public void Learned(BucketKey bucket, AdmissionDecision decision)
    {
        if (decision.OutputReservedOnArrival && LearnsAccounting && !_accounting.ReservesMaxTokens(bucket))
        {
            _accounting.Adopt(bucket);
        }
    }

    /// <summary>
    /// Gets what a waiter holds if admitted now: its output hold is the output estimate of this moment, not the one of
    /// when it queued (requests queued before a model's estimate warmed up would otherwise hold their whole
    /// <c>max_tokens</c> however long they wait), and its whole <c>max_tokens</c> once its bucket has switched to it
    /// (<c>auto</c>) or the operator chose <c>max_tokens</c>. Under the lock.
    /// </summary>
    public RequestCost CostNow(Waiter waiter)
    {
        var hold = OutputHold(waiter.Cost.OutputTokens, waiter.AskedOutputHold, waiter.Model, waiter.Bucket, _options);
        if (hold != waiter.Cost.LearnedOutputTokens)
        {
            waiter.Cost = waiter.Cost with { LearnedOutputTokens = hold };
        }

        return waiter.Cost;
    }

    private void Observe(BucketKey bucket, RateLimitObservation observation, LimiterPermit? permit, bool refused, bool answerComplete)
    {
        BucketUpdate update;
        string? producedEvidence = null;
        lock (_gate)
        {
            var now = Now();
            if (refused && permit is not null && LearnsAccounting)
            {
                _accounting.Note(bucket, observation, permit.Reserved, now);
            }
            else if (permit is { IsLive: true, IsWatched: true } && LearnsAccounting)
            {
                producedEvidence = _accounting.Weigh(permit, observation.OutputTokens, answerComplete, now, HeaderTransit.Ticks);
            }

            // Until the accounting is proven either way, a bucket is taken as reserving max_tokens: safe under both.
            var reserving = LearnsAccounting && _accounting.HoldsMaxTokens(bucket);
            _confirmed = default;
            if (LearnsAccounting)
            {
                _accounting.OfferAwaitingEstimate(bucket, _lowerToEstimate);
            }

            if (permit is { IsLive: true })
            {
                // The server counted this request, every earlier one of its bucket, and every later one that reached
                // it before it wrote these headers; their output reservations too when the upstream is known to
                // reserve max_tokens on arrival.
                _uncounted.CountThrough(permit, now - HeaderTransit.Ticks, reserving ? ServerCount.Everything : ServerCount.RequestAndInput, _confirm);
                if (answerComplete && permit.Counted == ServerCount.RequestAndInput)
                {
                    // Counted as produced, the answer's whole output is in these headers already.
                    permit.Counted = ServerCount.Produced;
                    _confirm(permit);
                }
            }

            update = new BucketUpdate(bucket, _options) { Change = _confirmed, Levels = LevelReading.Of(observation, reserving, heldUnproduced: !reserving && _options.OutputReservation != OutputReservation.MaxTokens) };
            _confirmed = default;
        }

        Send(update, released: false);
        if (producedEvidence is not null && _logger is not null)
        {
            LimiterLog.CountsOutputAsProduced(_logger, bucket.UpstreamKey, bucket.ModelClass, producedEvidence);
        }
    }

    /// <summary>
    /// Its bucket was shown to count output as produced after the request was admitted holding its whole
    /// <c>max_tokens</c>: it holds what a request admitted now would hold, once the model's estimate is below that, as
    /// long as that hold is still the engine's own (not completed, its output not taken as counted by the server).
    /// Held to the end, one long reply's <c>max_tokens</c> kept a bucket smaller than it below its headers for the
    /// whole reply. Returns true when the request needs no more offers. Under the lock.
    /// </summary>
    private bool LowerToEstimate(LimiterPermit permit)
    {
        if (!permit.IsLive || permit.IsCompleted || permit.Counted is ServerCount.Everything or ServerCount.Produced)
        {
            return true;
        }

        var held = permit.Reserved.LearnedOutputTokens;
        var estimate = OutputHold(permit.Reserved.OutputTokens, permit.AskedOutputHold, permit.Model, permit.Bucket, _options);
        if (estimate >= held)
        {
            return estimate < permit.Reserved.OutputTokens;
        }

        permit.LowerLearnedOutputHold(estimate);
        _confirmed += new BudgetChange(default, default, new BudgetDelta(estimate - held, estimate - held), 0, 0);
        return true;
    }

    // Against learned output budgets a request may hold an estimate of its output rather than its whole max_tokens.
    private RequestCost CostOf(AcquireRequest request, BucketKey bucket, PacerOptions policy)
    {
        var hold = OutputHold(request.Cost.OutputTokens, request.Cost.LearnedOutputTokens, request.Model, bucket, policy);
        return hold == request.Cost.LearnedOutputTokens ? request.Cost : request.Cost with { LearnedOutputTokens = hold };
    }

    private int OutputHold(int maxTokens, int askedHold, string model, BucketKey bucket, PacerOptions policy) =>
        HoldsMaxTokens(bucket, policy) ? maxTokens : Math.Min(askedHold, OutputEstimator.Reserve(model, maxTokens));

    // With OutputReservation auto, 429s teach whether the upstream reserves max_tokens on arrival.
    private bool LearnsAccounting => _options.OutputReservation == OutputReservation.Auto;

    private bool HoldsMaxTokens(BucketKey bucket, PacerOptions policy) => policy.OutputReservation switch
    {
        _ when !policy.LearnLimits => true,
        OutputReservation.Estimate => false,
        OutputReservation.Auto => _accounting.HoldsMaxTokens(bucket),
        _ => true,
    };
}
