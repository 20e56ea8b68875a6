using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pacer.Limiting;
using Pacer.Retrying;
using Pacer.Telemetry;

namespace Pacer.Http;

/// <summary>
/// Paces, limits and retries every request of an <see cref="HttpClient"/> through a <see cref="Limiter"/>, and reads
/// the usage of each Anthropic response. Each attempt waits for admission, is sent, teaches the limiter the upstream's
/// <c>anthropic-ratelimit-*</c> headers, and is retried (after <c>retry-after</c> or a jittered backoff, queuing again)
/// when the status or failure is retryable; the final response is the upstream's own, with <c>x-pacer-queue-ms</c> and
/// <c>x-pacer-attempts</c> added.
/// </summary>
/// <remarks>
/// <para>A request the limiter cannot admit in time throws <see cref="PacerRejectedException"/> from
/// <c>SendAsync</c>; <see cref="RejectionResponse"/> turns it into Anthropic's 429 <c>rate_limit_error</c> shape.</para>
/// <para>An attempt with no response headers within <c>AttemptTimeout</c> is retried; when it was the last, the caller gets
/// a <see cref="TaskCanceledException"/> whose inner exception is a <see cref="TimeoutException"/> (as with
/// <see cref="HttpClient.Timeout"/>).</para>
/// <para>The request's concurrency slot is held until the response body has been read to its end or disposed: dispose
/// every response. Only <c>SendAsync</c> is supported; the synchronous <c>Send</c> throws.</para>
/// </remarks>
public sealed class PacerHandler : DelegatingHandler
{
    private readonly Limiter _limiter;
    private readonly ILogger _logger;
    private readonly PacerMetrics _metrics;
    private readonly RetryPipeline _retry;
    private readonly RequestReporter _reporter;
    private readonly bool _ownsMetrics;
    private readonly bool _ownsLimiter;

    /// <summary>Creates a handler that paces through <paramref name="limiter"/>.</summary>
    /// <param name="limiter">The limiter; its <see cref="Limiter.TimeProvider"/> is the clock of every wait.</param>
    /// <param name="loggerFactory">Where log lines go; none by default.</param>
    /// <param name="observers">Who receives each request's <see cref="RequestOutcome"/>.</param>
    /// <param name="meterFactory">Where the <see cref="PacerMeter.Name"/> meter comes from; a meter of its own by default.</param>
    /// <param name="random">The jitter source, returning values in [0, 1); a cryptographic source by default.</param>
    public PacerHandler(
        Limiter limiter,
        ILoggerFactory? loggerFactory = null,
        IEnumerable<IRequestObserver>? observers = null,
        IMeterFactory? meterFactory = null,
        Func<double>? random = null)
        : this(limiter, loggerFactory?.CreateLogger<PacerHandler>(), observers, CreateMetrics(limiter, meterFactory), ownsMetrics: true, random, ownsLimiter: false)
    {
    }

    internal PacerHandler(
        Limiter limiter,
        ILogger? logger,
        IEnumerable<IRequestObserver>? observers,
        PacerMetrics metrics,
        bool ownsMetrics,
        Func<double>? random,
        bool ownsLimiter)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(metrics);
        _limiter = limiter;
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics;
        _ownsMetrics = ownsMetrics;
        _ownsLimiter = ownsLimiter;
        _retry = new RetryPipeline(limiter.TimeProvider, new BackoffSchedule(random ?? SecureRandom), _logger, metrics);
        _reporter = new RequestReporter(limiter, metrics, observers?.ToArray() ?? [], _logger, Calibrate);
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Pacer waits for admission and retries asynchronously; use SendAsync.");

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var paced = await PacedRequest.CreateAsync(request, _limiter.Options, _limiter.TimeProvider, _limiter.Estimator, cancellationToken)
            .ConfigureAwait(false);
        request.Options.Set(PacerRequestContext.Key, paced.Context);
        _limiter.Totals.RequestStarted();

        // Whatever path leaves this method, the attempt's permit is released unless the final response took it.
        using var permit = paced.PermitOwner;
        var outcome = await _retry.ExecuteAsync(paced.Retry, (this, paced), static (s, ct) => s.Item1.SendAttemptAsync(s.paced, ct), cancellationToken)
            .ConfigureAwait(false);
        if (outcome.Exception is { } exception)
        {
            permit.Release();
            _reporter.Failed(paced, exception, cancellationToken.IsCancellationRequested);
            ExceptionDispatchInfo.Throw(exception is AttemptTimeoutException timeout
                ? new TaskCanceledException(timeout.Message, timeout)
                : exception);
        }

        return await HandOverAsync(paced, outcome.Result!, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_ownsMetrics)
            {
                _metrics.Dispose();
            }

            if (_ownsLimiter)
            {
                _limiter.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private static PacerMetrics CreateMetrics(Limiter limiter, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        return new PacerMetrics(limiter, meterFactory);
    }

    private static double SecureRandom() => RandomNumberGenerator.GetInt32(int.MaxValue) / (double)int.MaxValue;

    private async ValueTask<HttpResponseMessage> SendAttemptAsync(PacedRequest paced, CancellationToken cancellationToken)
    {
        var attempt = paced.Attempts + 1;
        PacerLog.Attempt(_logger, attempt, paced.Retry.MaxAttempts, paced.Endpoint);
        var permit = await DeadlineAdmission.AcquireAsync(_limiter, paced, cancellationToken).ConfigureAwait(false);
        paced.PermitOwner.Hold(permit);
        paced.QueueTime += permit.QueueTime;
        _metrics.QueueWaited(permit.QueueTime);
        _metrics.TokensReserved(permit.Reserved, paced.Facts.Model);
        LogLoad();

        paced.Attempts = attempt;
        _limiter.Totals.AttemptSent(attempt);
        _metrics.AttemptSent();
        var timeout = paced.Retry.Options.AttemptTimeoutTime;
        var limit = paced.Retry.AttemptLimit(timeout, _limiter.TimeProvider.GetUtcNow());
        HttpResponseMessage response;
        using (var attemptTimeout = new CancellationTokenSource(limit, _limiter.TimeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token))
        {
            try
            {
                response = await base.SendAsync(paced.CreateAttemptMessage(), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (attemptTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The permit stays with its owner: released before a retry's wait, or when the request fails.
                var timedOut = paced.Retry.AttemptTimedOut(timeout, limit, _limiter.TimeProvider.GetUtcNow());
                PacerLog.AttemptFailed(_logger, attempt, paced.Endpoint, nameof(TimeoutException), timedOut.Message);
                throw timedOut;
            }
            catch (Exception exception)
            {
                if (!cancellationToken.IsCancellationRequested)
                {
                    PacerLog.AttemptFailed(_logger, attempt, paced.Endpoint, exception.GetType().Name, exception.Message);
                }

                throw;
            }
        }

        Observe(paced, permit, response, attempt);
        return response;
    }

    private void Observe(PacedRequest paced, Permit permit, HttpResponseMessage response, int attempt)
    {
        paced.RequestId = response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null;

        // Through the permit, the limiter knows which request the server's counts now include; a non-streaming answer's
        // headers come once it is complete, so they include its output too.
        var complete = paced.Kind == PacerRequestKind.Messages && !paced.Facts.Stream && response.StatusCode == HttpStatusCode.OK;
        _limiter.Observe(permit, response.Headers, answerComplete: complete);
        if (response.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return;
        }

        _limiter.Totals.RateLimitedReceived();
        _metrics.RateLimitedReceived();
        PacerLog.RateLimited(_logger, attempt);

        // Everyone else waiting for this bucket waits out the retry-after too; an absurd one is not imposed on them.
        if (RetryAfter.From(response.Headers, _limiter.TimeProvider.GetUtcNow()) is { } retryAfter && retryAfter <= RetryAfter.Longest)
        {
            _limiter.Cooldown(paced.KeyId, paced.BucketModel(), retryAfter);
        }
    }

    private async Task<HttpResponseMessage> HandOverAsync(PacedRequest paced, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var permit = paced.PermitOwner.HandOver();
        response.RequestMessage = paced.Original;
        response.Headers.TryAddWithoutValidation(PacerHeaders.QueueMilliseconds, ((long)paced.QueueTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAddWithoutValidation(PacerHeaders.Attempts, paced.Attempts.ToString(CultureInfo.InvariantCulture));
        var status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            // A stream is never buffered: usage is read as the events pass, and the permit ends with the stream.
            var reader = new SseReader();
            paced.Context.Watch(reader);
            var streaming = new RequestCompletion(_reporter, paced, permit, status, reader);
            response.Content = new ObservedContent(response.Content, streaming);
            return response;
        }

        var completion = new RequestCompletion(_reporter, paced, permit, status, parser: null);
        if (status is >= 200 and < 300 && paced.Kind == PacerRequestKind.Messages)
        {
            ReadOnlyMemory<byte> body;
            try
            {
                body = await ResponseBuffer.BufferAsync(response, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                completion.BodyEnded(BodyEnd.Failed, exception);
                response.Dispose();
                throw;
            }

            var usage = default(UsageAccumulator);
            UsageReader.TryRead(body.Span, ref usage);
            completion.Finish(usage, problem: null);
            return response;
        }

        if (ResponseBuffer.IsBuffered(response.Content))
        {
            completion.Finish(usage: null, problem: null);
            return response;
        }

        response.Content = new ObservedContent(response.Content, completion);
        return response;
    }

    private void LogLoad()
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        // One Load, not a Snapshot: a brief lock and no allocation on every attempt.
        var options = _limiter.Options;
        var load = _limiter.Load();
        PacerLog.CurrentRequests(_logger, load.CurrentRequests, options.MaxConcurrentRequests);
        PacerLog.RecentRequests(_logger, load.RecentRequests, options.MaxRequestsPerMinute);
    }

    // The estimate covers the whole prompt, cached or not, so it is compared with every input token the usage reports.
    private void Calibrate(PacedRequest request, TokenUsage usage)
    {
        _limiter.Estimator.Calibrate(request.Facts.Model, request.InputEstimate, usage.InputTokens + usage.CacheCreationInputTokens + usage.CacheReadInputTokens);
        _limiter.OutputEstimator.Calibrate(request.Facts.Model, usage.OutputTokens);
    }
}
