using System.Diagnostics;
using System.Diagnostics.Metrics;
using Pacer.Limiting;
using Pacer.Retrying;

namespace Pacer.Telemetry;

/// <summary>The engine's instruments on the <see cref="PacerMeter.Name"/> meter (names in <see cref="PacerMeter"/>).</summary>
internal sealed class PacerMetrics : IDisposable
{
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _rateLimited;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _tokensReserved;
    private readonly Counter<long> _tokensUsed;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own.</summary>
    public PacerMetrics(Limiter limiter, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(PacerMeter.Name)) ?? new Meter(PacerMeter.Name);
        _requests = Meter.CreateCounter<long>(PacerMeter.Requests, "{request}", "Requests that ended, by outcome.");
        _attempts = Meter.CreateCounter<long>(PacerMeter.Attempts, "{attempt}", "Attempts sent upstream.");
        _retries = Meter.CreateCounter<long>(PacerMeter.Retries, "{retry}", "Retries (attempts after the first), by reason.");
        _rateLimited = Meter.CreateCounter<long>(PacerMeter.RateLimited, "{response}", "429 responses received from upstream.");
        _queueWait = Meter.CreateHistogram<double>(PacerMeter.QueueWait, "s", "Time one admission waited in the limiter's queue.");
        _tokensReserved = Meter.CreateCounter<long>(PacerMeter.TokensReserved, "{token}", "Tokens reserved at admission.");
        _tokensUsed = Meter.CreateCounter<long>(PacerMeter.TokensUsed, "{token}", "Tokens that responses reported as used.");
        Meter.CreateObservableGauge(PacerMeter.InFlight, () => limiter.InFlight, "{request}", "Requests admitted and not yet finished.");
        Meter.CreateObservableGauge(PacerMeter.Queued, () => limiter.Queued, "{request}", "Requests waiting for admission.");
        Meter.CreateObservableGauge(
            PacerMeter.QueuedByPriority,
            () => (IEnumerable<Measurement<int>>)
            [
                new(limiter.QueuedOf(RequestPriority.Interactive), new KeyValuePair<string, object?>(PacerMeter.PriorityTag, "interactive")),
                new(limiter.QueuedOf(RequestPriority.Batch), new KeyValuePair<string, object?>(PacerMeter.PriorityTag, "batch")),
            ],
            "{request}",
            "Requests waiting for admission, by priority class.");
    }

    /// <summary>Gets the meter holding the instruments.</summary>
    public Meter Meter { get; }

    public void RequestEnded(string outcome, int statusCode)
    {
        var tags = new TagList { { PacerMeter.OutcomeTag, outcome }, { PacerMeter.StatusCodeTag, statusCode } };
        _requests.Add(1, tags);
    }

    public void AttemptSent() => _attempts.Add(1);

    public void Retried(RetryReason reason) => _retries.Add(1, new KeyValuePair<string, object?>(PacerMeter.ReasonTag, ReasonName(reason)));

    public void RateLimitedReceived() => _rateLimited.Add(1);

    public void QueueWaited(TimeSpan wait) => _queueWait.Record(wait.TotalSeconds);

    public void TokensReserved(RequestCost cost, string model)
    {
        Add(_tokensReserved, cost.InputTokens, "input", model);
        Add(_tokensReserved, cost.OutputTokens, "output", model);
    }

    public void TokensUsed(TokenUsage usage, string model)
    {
        Add(_tokensUsed, usage.InputTokens, "input", model);
        Add(_tokensUsed, usage.OutputTokens, "output", model);
        Add(_tokensUsed, usage.CacheCreationInputTokens, "cache_creation", model);
        Add(_tokensUsed, usage.CacheReadInputTokens, "cache_read", model);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    internal static string ReasonName(RetryReason reason) => reason switch
    {
        RetryReason.RetryableStatus => "retryable_status",
        RetryReason.ShouldRetryHeaderTrue => "x_should_retry",
        RetryReason.ConnectionFailure => "connection_failure",
        RetryReason.AttemptTimeout => "attempt_timeout",
        RetryReason.Success => "success",
        RetryReason.FinalStatus => "final_status",
        RetryReason.SpendLimitReached => "spend_limit_reached",
        RetryReason.ShouldRetryHeaderFalse => "x_should_retry_false",
        RetryReason.Canceled => "canceled",
        RetryReason.Rejected => "rejected",
        _ => "other_exception",
    };

    private static void Add(Counter<long> counter, int tokens, string type, string model)
    {
        if (tokens > 0)
        {
            counter.Add(tokens, new TagList { { PacerMeter.TokenTypeTag, type }, { PacerMeter.ModelTag, model } });
        }
    }
}
