using Pacer.Limiting;
using Pacer.Telemetry;
using Pacer.Usage;

namespace Pacer.Http;

/// <summary>
/// The end of one handed-over response, reached once: it reconciles the permit with the usage seen, releases the
/// permit (and so the concurrency slot) and reports the outcome.
/// </summary>
internal sealed class RequestCompletion(RequestReporter reporter, PacedRequest request, Permit? permit, int statusCode, SseReader? parser)
{
    private int _ended;

    /// <summary>Gets the reader of a stream's events, or null for a body that is not a stream.</summary>
    public SseReader? Parser => parser;

    /// <summary>Called by the body's stream or content when it ends; only the first call counts.</summary>
    public void BodyEnded(BodyEnd end, Exception? error)
    {
        string? problem = end switch
        {
            BodyEnd.Failed => $"body failed: {error?.GetType().Name}",
            _ when parser?.ErrorType is { } type => $"stream error event: {type}",
            BodyEnd.Disposed when parser is { SawMessageStop: false } => "stream closed before message_stop",
            _ => null,
        };
        Finish(parser?.Usage, problem);
    }

    /// <summary>Ends the request with what was seen of its usage and any problem.</summary>
    public void Finish(UsageAccumulator? usage, string? problem)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        TokenUsage? used = null;
        CacheCreation? cacheCreation = null;
        if (usage is { HasValue: true } seen)
        {
            used = seen.ToUsage();
            cacheCreation = seen.ToCacheCreation();
        }

        request.Context.FinalUsage = used;

        try
        {
            if (used is { } tokens && permit is not null)
            {
                reporter.Used(request, permit, tokens);
            }
        }
        finally
        {
            permit?.Dispose();
        }

        reporter.Ended(request, statusCode, used, cacheCreation, problem ?? FinalError(), streamed: parser is not null);
    }

    private string? FinalError()
    {
        if (statusCode is >= 200 and < 300)
        {
            return null;
        }

        var retry = request.Retry;
        return retry.StoppedBecause is { } why
            ? $"status {statusCode}: {PacerMetrics.ReasonName(retry.LastDecision.Reason)}, {why}"
            : $"status {statusCode}: {PacerMetrics.ReasonName(retry.LastDecision.Reason)}";
    }
}
