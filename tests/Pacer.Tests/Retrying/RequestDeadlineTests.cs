using Pacer.Configuration;
using Pacer.Http;
using Pacer.Retrying;

namespace Pacer.Tests.Retrying;

public sealed class RequestDeadlineTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(600_000, 1000)]
    [InlineData(10_000, 1000)]
    [InlineData(3000, 300)]
    [InlineData(1000, 100)]
    [InlineData(5, 0.5)]
    [InlineData(0, 0)]
    [InlineData(-2000, 0)]
    public void From_Budget_MarginIsATenthAtMostOneSecond(double budgetMs, double marginMs)
    {
        var deadline = RequestDeadline.From(Now.AddMilliseconds(budgetMs), Now)!.Value;

        deadline.Margin.ShouldBe(TimeSpan.FromMilliseconds(marginMs));
        deadline.Cutoff.ShouldBe(Now.AddMilliseconds(budgetMs - marginMs));
    }

    [Fact]
    public void From_NoDeadline_None() => RequestDeadline.From(null, Now).ShouldBeNull();

    [Fact]
    public void AttemptLimit_CutoffBeforeTheAttemptTimeout_IsTheTimeToTheCutoff()
    {
        var state = new RetryState(new PacerOptions(), "/x", RequestDeadline.From(Now.AddSeconds(150), Now));

        var limit = state.AttemptLimit(TimeSpan.FromMinutes(10), Now.AddSeconds(121));

        limit.ShouldBe(TimeSpan.FromSeconds(28));
        state.AttemptTimedOut(TimeSpan.FromMinutes(10), limit, Now.AddSeconds(149)).ShouldBeOfType<PacerDeadlineExceededException>()
            .Message.ShouldBe("The request's deadline is 1000 ms away (margin 1000 ms): the attempt had no response headers by the cutoff.");
    }

    [Fact]
    public void AttemptLimit_AttemptTimeoutBeforeTheCutoff_IsTheAttemptTimeoutAndRetried()
    {
        var state = new RetryState(new PacerOptions(), "/x", RequestDeadline.From(Now.AddSeconds(60), Now));

        var limit = state.AttemptLimit(TimeSpan.FromSeconds(5), Now);

        limit.ShouldBe(TimeSpan.FromSeconds(5));
        var timedOut = state.AttemptTimedOut(TimeSpan.FromSeconds(5), limit, Now.AddSeconds(5));
        timedOut.ShouldBeOfType<AttemptTimeoutException>();
        RetryClassifier.Classify(timedOut).ShouldRetry.ShouldBeTrue();
    }

    [Fact]
    public void AttemptLimit_NoDeadline_IsTheAttemptTimeout() =>
        new RetryState(new PacerOptions(), "/x", null).AttemptLimit(TimeSpan.FromSeconds(5), Now).ShouldBe(TimeSpan.FromSeconds(5));

    [Fact]
    public void Classify_DeadlineExceeded_IsFinal()
    {
        var decision = RetryClassifier.Classify(new PacerDeadlineExceededException(Now, TimeSpan.FromSeconds(1), "late"));

        decision.ShouldRetry.ShouldBeFalse();
        decision.Reason.ShouldBe(RetryReason.DeadlineReached);
    }
}
