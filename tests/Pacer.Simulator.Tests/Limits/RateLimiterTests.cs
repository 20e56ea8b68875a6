using Microsoft.Extensions.Time.Testing;
using Pacer.Simulator.Limits;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Limits;

public sealed class RateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private RateLimiter Limiter(Action<LimitOptions>? configure = null)
    {
        var options = new LimitOptions { RequestsPerMinute = 50, InputTokensPerMinute = 30_000, OutputTokensPerMinute = 8_000 };
        configure?.Invoke(options);
        return new RateLimiter(options, _time);
    }

    [Fact]
    public void TryAdmit_ExactlyTheRequestLimit_AdmitsAllThenRefusesOneMoreWithRetryAfter()
    {
        var limiter = Limiter();
        for (var i = 0; i < 50; i++)
        {
            limiter.TryAdmit("k", "sonnet-4", 10, 10).Admitted.ShouldBeTrue($"request {i + 1}");
        }

        var refused = limiter.TryAdmit("k", "sonnet-4", 10, 10);

        refused.Admitted.ShouldBeFalse();
        refused.Exceeded.ShouldBe(LimitKind.Requests);
        refused.Limit.ShouldBe(50);
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1.2));
        refused.RetryAfterSeconds.ShouldBe(2);
        refused.Reading.Requests.Remaining.ShouldBe(0);
    }

    [Fact]
    public void TryAdmit_AfterRetryAfter_AdmitsAgain()
    {
        var limiter = Limiter(o => o.RequestsPerMinute = 2);
        limiter.TryAdmit("k", "p", 1, 1);
        limiter.TryAdmit("k", "p", 1, 1);
        var refused = limiter.TryAdmit("k", "p", 1, 1);

        _time.Advance(TimeSpan.FromSeconds(refused.RetryAfterSeconds - 1));
        limiter.TryAdmit("k", "p", 1, 1).Admitted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        limiter.TryAdmit("k", "p", 1, 1).Admitted.ShouldBeTrue();
    }

    [Fact]
    public void TryAdmit_InputTokensOverTheRemainder_NamesInputTokensAndWaitsForTheMissingPart()
    {
        var limiter = Limiter();
        limiter.TryAdmit("k", "p", 29_000, 1).Admitted.ShouldBeTrue();

        var refused = limiter.TryAdmit("k", "p", 2_000, 1);

        refused.Exceeded.ShouldBe(LimitKind.InputTokens);
        refused.Asked.ShouldBe(2_000);
        refused.Limit.ShouldBe(30_000);
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(2)); // 1,000 missing at 500 per second
        refused.Reading.Requests.Remaining.ShouldBe(49); // a refused request takes nothing
    }

    [Fact]
    public void TryAdmit_ReserveMode_TakesMaxTokensAndFinishRefundsTheUnused()
    {
        var limiter = Limiter(o => o.OutputAccounting = OutputAccounting.Reserve);

        var admitted = limiter.TryAdmit("k", "p", 10, 5_000);
        admitted.Reading.OutputTokens.Remaining.ShouldBe(3_000);
        limiter.TryAdmit("k", "p", 10, 4_000).Exceeded.ShouldBe(LimitKind.OutputTokens);

        admitted.Lease!.Produce(1_000);
        admitted.Lease.Finish();

        limiter.Read("k", "p").OutputTokens.Remaining.ShouldBe(7_000);
        limiter.TryAdmit("k", "p", 10, 4_000).Admitted.ShouldBeTrue();
    }

    [Fact]
    public void TryAdmit_ActualMode_IgnoresMaxTokensAndCountsTokensAsProduced()
    {
        var limiter = Limiter(o => o.OutputAccounting = OutputAccounting.Actual);

        var admitted = limiter.TryAdmit("k", "p", 10, 64_000);
        admitted.Admitted.ShouldBeTrue();
        admitted.Reading.OutputTokens.Remaining.ShouldBe(8_000);

        admitted.Lease!.Produce(6_000);
        limiter.Read("k", "p").OutputTokens.Remaining.ShouldBe(2_000);
        admitted.Lease.Produce(3_000);
        admitted.Lease.Finish();

        limiter.Read("k", "p").OutputTokens.Remaining.ShouldBe(0);
        var refused = limiter.TryAdmit("k", "p", 10, 1);
        refused.Exceeded.ShouldBe(LimitKind.OutputTokens);
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7.5075)); // 1,000 in debt + 1 needed, at 8,000/60 per second
    }

    [Fact]
    public void Finish_CalledTwice_RefundsOnce()
    {
        var limiter = Limiter();
        var lease = limiter.TryAdmit("k", "p", 10, 1_000).Lease!;

        lease.Finish();
        lease.Finish();

        limiter.Read("k", "p").OutputTokens.Remaining.ShouldBe(8_000);
    }

    [Fact]
    public void TryAdmit_DifferentKeysAndPools_HaveTheirOwnBuckets()
    {
        var limiter = Limiter(o => o.RequestsPerMinute = 1);

        limiter.TryAdmit("a", "sonnet-4", 1, 1).Admitted.ShouldBeTrue();
        limiter.TryAdmit("a", "sonnet-4", 1, 1).Admitted.ShouldBeFalse();
        limiter.TryAdmit("b", "sonnet-4", 1, 1).Admitted.ShouldBeTrue();
        limiter.TryAdmit("a", "opus-4", 1, 1).Admitted.ShouldBeTrue();
    }

    [Fact]
    public void TryAdmit_PoolOverride_UsesThePoolsOwnLimits()
    {
        var limiter = Limiter(o => o.Pools = [new PoolLimitOptions { Name = "opus-4", RequestsPerMinute = 4000, OutputTokensPerMinute = 400_000 }]);

        var reading = limiter.TryAdmit("k", "opus-4", 1, 1).Reading;

        reading.Requests.Limit.ShouldBe(4000);
        reading.InputTokens.Limit.ShouldBe(30_000);
        reading.OutputTokens.Limit.ShouldBe(400_000);
    }

    [Fact]
    public void TryAdmit_LargerThanTheBucket_IsRefusedAsNeverFitting()
    {
        var limiter = Limiter();

        var refused = limiter.TryAdmit("k", "p", 30_001, 1);

        refused.Exceeded.ShouldBe(LimitKind.InputTokens);
        refused.NeverFits.ShouldBeTrue();
    }

    [Fact]
    public void TryAdmitCountTokens_OwnBucket_DoesNotTouchMessagesRequests()
    {
        var limiter = Limiter(o => o.CountTokensRequestsPerMinute = 2);

        limiter.TryAdmitCountTokens("k", "p").Exceeded.ShouldBeNull();
        var second = limiter.TryAdmitCountTokens("k", "p");
        var third = limiter.TryAdmitCountTokens("k", "p");

        second.Reading.Requests.Remaining.ShouldBe(0);
        third.Exceeded.ShouldBe(LimitKind.Requests);
        third.RetryAfterSeconds.ShouldBe(30);
        limiter.Read("k", "p").Requests.Remaining.ShouldBe(50);
    }
}
