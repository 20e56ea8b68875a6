using Microsoft.Extensions.Logging;
using Pacer.Telemetry;
using Polly;
using Polly.Retry;

namespace Pacer.Retrying;

/// <summary>
/// Pacer's retry policy on a Polly.Core retry strategy: Polly runs the loop, waits on the <see cref="TimeProvider"/> and
/// disposes each retried response; Pacer supplies the classification, the delay (retry-after or jittered backoff),
/// the per-request attempt limit and the deadline rule, and releases the attempt's permit before every wait.
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
    public async ValueTask<Outcome<HttpResponseMessage>> ExecuteAsync<TState>(
        RetryState retry,
        TState state,
        Func<TState, CancellationToken, ValueTask<HttpResponseMessage>> attempt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(attempt);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, retry);
        try
        {
            return await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, s) =>
                {
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
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static RetryState State(ResilienceContext context) => context.Properties.GetValue(StateKey, null!);

    private async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args)
    {
        var state = State(args.Context);
        var response = args.Outcome.Exception is null ? args.Outcome.Result : null;
        var decision = args.Outcome.Exception is { } exception
            ? RetryClassifier.Classify(exception)
            : await RetryClassifier.ClassifyAsync(response!, args.Context.CancellationToken).ConfigureAwait(false);
        state.LastDecision = decision;
        var attempt = args.AttemptNumber + 1;
        var status = response is null ? 0 : (int)response.StatusCode;
        if (!decision.ShouldRetry)
        {
            PacerLog.NotRetried(_logger, state.Endpoint, attempt, decision.Reason, status);
            return false;
        }

        if (args.AttemptNumber >= state.Options.MaxRetries)
        {
            state.StoppedBecause = $"retries spent ({state.MaxAttempts} attempts)";
            PacerLog.RetriesSpent(_logger, state.Endpoint, state.MaxAttempts, status);
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        var delay = _schedule.Next(response?.Headers, args.AttemptNumber, state.Options, now);
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
