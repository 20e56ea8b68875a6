using Microsoft.Extensions.Logging;
using Pacer.Telemetry;
using Polly;
using Polly.Retry;

namespace Pacer.Retrying;

/// <summary>
/// Pacer's retry policy on a Polly.Core retry strategy: Polly runs the loop, waits on the <see cref="TimeProvider"/> and
/// disposes each retried response; Pacer supplies the classification, the delay (retry-after or jittered backoff),
/// the per-request attempt limit and the deadline rule, and releases the attempt's permit before every wait. The first
/// attempt runs before the pipeline, which starts only for an attempt to be retried (<see cref="ExecuteAsync"/>).
/// </summary>
internal sealed class RetryPipeline
{
    private static readonly ResiliencePropertyKey<RetryState> StateKey = new("Pacer.RetryState");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly BackoffSchedule _schedule;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly PacerMetrics? _metrics;

    public RetryPipeline(TimeProvider timeProvider, BackoffSchedule schedule, ILogger logger, PacerMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(logger);
        _timeProvider = timeProvider;
        _schedule = schedule;
        _logger = logger;
        _metrics = metrics;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // The real limit is per request (MaxRetries read when it starts) and is enforced in ShouldRetryAsync.
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.Zero,
                UseJitter = false,
                ShouldHandle = ShouldRetryAsync,
                DelayGenerator = static args => new ValueTask<TimeSpan?>(State(args.Context).NextDelay.Delay),
                OnRetry = OnRetryAsync,
            })
            .Build();
    }

    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails for good, or the retries are spent.</summary>
    /// <remarks>
    /// The first attempt runs outside Polly and is judged by the same rules (<see cref="DecideAsync"/>): an attempt that
    /// needs no retry, nearly every one, returns without a pipeline context, Polly's outcome and its strategy's
    /// callbacks. Only when it is to be retried does the pipeline start, replaying that first outcome as its first
    /// attempt with the decision already taken, so the wait, the permit's release and every later attempt are Polly's
    /// as before.
    /// </remarks>
    public async ValueTask<Outcome<HttpResponseMessage>> ExecuteAsync<TState>(
        RetryState retry,
        TState state,
        Func<TState, CancellationToken, ValueTask<HttpResponseMessage>> attempt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(attempt);
        Outcome<HttpResponseMessage> first;
        try
        {
            first = Outcome.FromResult(await attempt(state, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            first = Outcome.FromException<HttpResponseMessage>(exception);
        }

        if (!await DecideAsync(retry, first, attemptNumber: 0, cancellationToken).ConfigureAwait(false))
        {
            return first;
        }

        retry.FirstOutcome = first;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, retry);
        try
        {
            return await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, s) =>
                {
                    var current = State(ctx);
                    if (current.FirstOutcome is { } replayed)
                    {
                        // Replayed once, as the pipeline's first attempt (attempt number 0).
                        current.FirstOutcome = null;
                        return replayed;
                    }

                    try
                    {
                        return Outcome.FromResult(await s.attempt(s.state, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception exception)
                    {
                        return Outcome.FromException<HttpResponseMessage>(exception);
                    }
                },
                context,
                (attempt, state)).ConfigureAwait(false);
        }
        finally
        {
            retry.FirstOutcome = null;
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static RetryState State(ResilienceContext context) => context.Properties.GetValue(StateKey, null!);

    /// <remarks>
    /// The pipeline starts only for a first outcome that <see cref="DecideAsync"/> judged retryable, and replays it as its
    /// attempt 0: that decision (and the delay it set) stands.
    /// </remarks>
    private ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args) =>
        args.AttemptNumber == 0
            ? new ValueTask<bool>(true)
            : DecideAsync(State(args.Context), args.Outcome, args.AttemptNumber, args.Context.CancellationToken);

    /// <summary>The retry rules: whether the outcome of attempt <paramref name="attemptNumber"/> (from 0) is retried, and after what delay.</summary>
    private async ValueTask<bool> DecideAsync(RetryState state, Outcome<HttpResponseMessage> outcome, int attemptNumber, CancellationToken cancellationToken)
    {
        var response = outcome.Exception is null ? outcome.Result : null;
        var decision = outcome.Exception is { } exception
            ? RetryClassifier.Classify(exception)
            : await RetryClassifier.ClassifyAsync(response!, cancellationToken).ConfigureAwait(false);
        state.LastDecision = decision;
        var attempt = attemptNumber + 1;
        var status = response is null ? 0 : (int)response.StatusCode;
        if (!decision.ShouldRetry)
        {
            PacerLog.NotRetried(_logger, state.Endpoint, attempt, decision.Reason, status);
            return false;
        }

        if (attemptNumber >= state.Options.MaxRetries)
        {
            state.StoppedBecause = $"retries spent ({state.MaxAttempts} attempts)";
            PacerLog.RetriesSpent(_logger, state.Endpoint, state.MaxAttempts, status);
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        var delay = _schedule.Next(response?.Headers, attemptNumber, state.Options, now);
        var tooLate = delay.Delay > RetryAfter.Longest
            ? $"retry-after is longer than {RetryAfter.Longest.TotalMinutes:0} minutes"
            : state.Deadline is { } deadline && now + delay.Delay >= deadline.Cutoff
                ? $"the wait ends after the request's deadline ({(deadline.Deadline - now).TotalMilliseconds:0} ms left, margin {deadline.Margin.TotalMilliseconds:0} ms)"
                : null;
        if (tooLate is not null)
        {
            state.StoppedBecause = tooLate;
            PacerLog.RetryTooLate(_logger, (long)Math.Min(delay.Delay.TotalMilliseconds, long.MaxValue), state.Endpoint, tooLate);
            return false;
        }

        state.NextDelay = delay;
        return true;
    }

    private ValueTask OnRetryAsync(OnRetryArguments<HttpResponseMessage> args)
    {
        var state = State(args.Context);

        // Every retry gives its admission back and queues again after the wait.
        state.ReleaseLease();
        _metrics?.Retried(state.LastDecision.Reason);
        var status = args.Outcome.Exception is null && args.Outcome.Result is { } response ? (int)response.StatusCode : 0;
        PacerLog.RetryScheduled(_logger, args.AttemptNumber + 1, state.Endpoint, state.LastDecision.Reason, status, state.NextDelay.Source);
        PacerLog.Retrying(_logger, (long)args.RetryDelay.TotalMilliseconds);
        return ValueTask.CompletedTask;
    }
}
