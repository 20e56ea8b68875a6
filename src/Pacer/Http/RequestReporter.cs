using Microsoft.Extensions.Logging;
using Pacer.Limiting;
using Pacer.Telemetry;
using Pacer.Usage;

namespace Pacer.Http;

/// <summary>Records how each request ended: totals, metrics, the failure log line, and one outcome per observer.</summary>
internal sealed class RequestReporter(
    Limiter limiter,
    PacerMetrics metrics,
    IRequestObserver[] observers,
    ILogger logger,
    Action<PacedRequest, TokenUsage> calibrate)
{
    public Limiter Limiter => limiter;

    public PacerMetrics Metrics => metrics;

    /// <summary>Reconciles the reservation with the real usage and teaches the estimator.</summary>
    public void Used(PacedRequest request, Permit permit, TokenUsage usage)
    {
        permit.Complete(usage);
        metrics.TokensUsed(usage, request.Facts.Model);
        if (request.Kind == PacerRequestKind.Messages)
        {
            calibrate(request, usage);
        }
    }

    /// <summary>A response reached its end (for a stream: its last byte, failure or disposal).</summary>
    public void Ended(PacedRequest request, int statusCode, TokenUsage? usage, CacheCreation? cacheCreation, string? error, bool streamed)
    {
        var success = statusCode is >= 200 and < 300 && error is null;
        if (statusCode is < 200 or >= 300)
        {
            limiter.Totals.RequestFailed();
            PacerLog.RequestFailed(logger, request.Endpoint, request.Attempts, statusCode, error ?? "final status");
        }

        metrics.RequestEnded(statusCode is >= 200 and < 300 ? "success" : "error", statusCode);
        Report(request, statusCode, usage, cacheCreation, success ? null : error, streamed);
    }

    /// <summary>The request ended without a response to hand over: rejected, cancelled, or every attempt failed.</summary>
    public void Failed(PacedRequest request, Exception exception, bool canceledByCaller)
    {
        string outcome;
        string error;
        if (exception is PacerRejectedException rejected)
        {
            // The limiter counted the rejection itself; for the request it is a failure.
            limiter.Totals.RequestFailed();
            outcome = "rejected";
            error = $"rejected by the limiter: {rejected.Reason}";
            PacerLog.Rejected(logger, request.Endpoint, rejected.Reason.ToString(), (long)rejected.RetryAfter.TotalMilliseconds);
        }
        else if (canceledByCaller)
        {
            outcome = "canceled";
            error = "canceled by the caller";
        }
        else
        {
            limiter.Totals.RequestFailed();
            outcome = "exception";
            error = $"{exception.GetType().Name} after {request.Attempts} attempt(s)";
            PacerLog.RequestFailed(logger, request.Endpoint, request.Attempts, 0, error);
        }

        metrics.RequestEnded(outcome, 0);
        Report(request, 0, null, null, error, streamed: false);
    }

    private void Report(PacedRequest request, int statusCode, TokenUsage? usage, CacheCreation? cacheCreation, string? error, bool streamed)
    {
        if (observers.Length == 0)
        {
            return;
        }

        var time = limiter.TimeProvider;
        var outcome = new RequestOutcome
        {
            Started = request.Started,
            User = request.User,
            Endpoint = request.Endpoint,
            Model = request.Facts.Model,
            RequestId = request.RequestId,
            Attempts = request.Attempts,
            StatusCode = statusCode,
            Usage = usage,
            CacheCreation = cacheCreation,
            QueueTime = request.QueueTime,
            Latency = time.GetElapsedTime(request.StartTimestamp),
            Streamed = streamed,
            Error = error,
        };
        foreach (var observer in observers)
        {
            try
            {
                observer.OnCompleted(outcome);
            }
            catch (Exception exception)
            {
                // An observer must not throw; if one does, the request itself is unaffected.
                PacerLog.ObserverFailed(logger, observer.GetType().Name, exception);
            }
        }
    }
}
