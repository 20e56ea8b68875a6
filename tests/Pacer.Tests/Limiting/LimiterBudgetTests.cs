using System.Globalization;
using System.Net.Http.Headers;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>Learned upstream budgets, cooldown, operator token budgets and reserve-then-reconcile.</summary>
public sealed class LimiterBudgetTests
{
    // Output counted as produced, as the upstream these tests play does (auto would hold max_tokens until a response shows it).
    private static readonly PacerOptions Wide = new() { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50, OutputReservation = OutputReservation.Estimate };

    internal static HttpResponseHeaders Headers(DateTimeOffset now, params (string Budget, long Limit, long Remaining)[] budgets)
    {
        using var response = new HttpResponseMessage();
        foreach (var (budget, limit, remaining) in budgets)
        {
            response.Headers.TryAddWithoutValidation($"anthropic-ratelimit-{budget}-limit", limit.ToString(CultureInfo.InvariantCulture));
            response.Headers.TryAddWithoutValidation($"anthropic-ratelimit-{budget}-remaining", remaining.ToString(CultureInfo.InvariantCulture));
            response.Headers.TryAddWithoutValidation($"anthropic-ratelimit-{budget}-reset", now.AddSeconds(10).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        }

        return response.Headers;
    }

    [Fact]
    public void Observe_RequestsExhausted_PacesAtTheLearnedRefill()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.AcquireNow().Dispose();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), ("requests", 60, 0)));

        var next = fixture.Start();
        next.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromSeconds(1));

        next.Permit.QueueTime.ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Observe_BeforeAnyResponse_OnlyTheOperatorPolicyApplies()
    {
        using var fixture = new LimiterFixture(Wide);

        for (var i = 0; i < 50; i++)
        {
            fixture.AcquireNow(input: 1_000_000, output: 1_000_000).Dispose();
        }

        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldBeEmpty();
    }

    [Fact]
    public void Observe_SharedModelClass_OtherModelsOfTheClassWaitToo()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Observe("k", "claude-opus-4-1-20250805", Headers(fixture.Time.GetUtcNow(), ("requests", 60, 0)));

        fixture.Start(model: "claude-opus-4-5").IsCompleted.ShouldBeFalse();
        fixture.AcquireNow(model: "claude-sonnet-4-5").Dispose();
        fixture.AcquireNow(model: "claude-opus-4-5", key: "other-key").Dispose();
    }

    [Fact]
    public void Observe_InputTokens_AssumesTheLowEndOfTheRoundedRemaining()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), ("input-tokens", 60_000, 10_000)));

        using var first = fixture.AcquireNow(input: 9_000);
        var second = fixture.Start(input: 1_000);

        // 9,500 were available: 500 left, 500 more refill at 1,000 per second.
        second.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(499));
        second.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(1));
        second.IsAdmitted.ShouldBeTrue();
    }

    [Fact]
    public void Observe_WithThePermit_CountsItAsChargedByTheServer()
    {
        using var fixture = new LimiterFixture(Wide);
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("input-tokens", 100_000, 100_000)));
        using var answered = fixture.AcquireNow(input: 20_000);
        using var inFlight = fixture.AcquireNow(input: 5_000);

        fixture.Limiter.Observe(answered, Headers(now, ("input-tokens", 100_000, 79_000)));

        // The server counted the answered request; the one still in flight is held locally: 79,000 - 500 - 5,000.
        Remaining(fixture).ShouldBe(73_500);
    }

    [Fact]
    public void Observe_WithoutThePermit_TreatsEveryRequestInFlightAsUncharged()
    {
        using var fixture = new LimiterFixture(Wide);
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("input-tokens", 100_000, 100_000)));
        using var answered = fixture.AcquireNow(input: 20_000);
        using var inFlight = fixture.AcquireNow(input: 5_000);

        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("input-tokens", 100_000, 79_000)));

        Remaining(fixture).ShouldBe(53_500);
    }

    [Fact]
    public void Observe_PermitOfAnotherLimiter_IsIgnored()
    {
        using var fixture = new LimiterFixture(Wide);
        using var other = new LimiterFixture(Wide);
        using var foreign = other.AcquireNow();

        fixture.Limiter.Observe(foreign, Headers(fixture.Time.GetUtcNow(), ("requests", 60, 0)));

        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldBeEmpty();
    }

    [Fact]
    public void Observe_LearnLimitsOff_IgnoresHeaders()
    {
        using var fixture = new LimiterFixture(Wide with { LearnLimits = false });

        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), ("requests", 60, 0)));

        fixture.AcquireNow().Dispose();
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldBeEmpty();
    }

    [Fact]
    public void Observe_LearnedOutputLimit_RequestAboveItIsTooLarge()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), ("output-tokens", 8_000, 8_000)));

        fixture.Start(output: 10_000).ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.TooLarge);
    }

    [Fact]
    public void Snapshot_LearnedBucket_ReportsLimitRemainingAndReset()
    {
        using var fixture = new LimiterFixture(Wide);
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("requests", 1000, 999), ("output-tokens", 16_000, 12_000)));

        var bucket = fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem();

        bucket.KeyId.ShouldBe("k");
        bucket.ModelClass.ShouldBe("claude-sonnet-4");
        bucket.Requests.ShouldBe(new BudgetSnapshot(1000, 999, now.AddMilliseconds(60)));
        // The headers say the output bucket is full in 10 s: it surely holds 12,000 - 500 (rounding) + 9 s of refill
        // (the reset is rounded up to the second), 13,900 tokens, so the 1,900 missing come back in 7.125 s.
        bucket.OutputTokens.ShouldBe(new BudgetSnapshot(16_000, 12_000, now.AddSeconds(7.125)));
        bucket.InputTokens.ShouldBe(new BudgetSnapshot(null, null, null));
        bucket.CooldownUntil.ShouldBeNull();
    }

    [Fact]
    public void Cooldown_After429_BlocksThatBucketUntilRetryAfter()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Cooldown("k", "claude-sonnet-4-5", TimeSpan.FromSeconds(5));

        var blocked = fixture.Start(model: "claude-sonnet-4-20250514");
        fixture.AcquireNow(model: "claude-haiku-4-5").Dispose();
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().CooldownUntil.ShouldBe(LimiterFixture.Epoch.AddSeconds(5));
        fixture.Advance(TimeSpan.FromMilliseconds(4999));
        blocked.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(1));

        blocked.Permit.QueueTime.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Cooldown_LongerThanTheDeadline_RejectsAtOnceWithTheCooldown()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Cooldown("k", "claude-sonnet-4-5", TimeSpan.FromSeconds(30));

        var rejection = fixture.Start(deadline: fixture.Time.GetUtcNow().AddSeconds(10)).ErrorOf<PacerRejectedException>();

        rejection.Reason.ShouldBe(RejectionReason.Cooldown);
        rejection.RetryAfter.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Complete_UsedLessThanReserved_RefundsTheDifferenceAtOnce()
    {
        using var fixture = new LimiterFixture(Wide with { InputTokensPerMinute = 1000 });
        using var first = fixture.AcquireNow(input: 600);
        var second = fixture.Start(input: 600);
        second.IsCompleted.ShouldBeFalse();

        first.Complete(new TokenUsage(InputTokens: 80, OutputTokens: 5, CacheCreationInputTokens: 20, CacheReadInputTokens: 5000));

        // 600 reserved, 100 counted (input + cache writes; cache reads do not count): 500 refunded, 100 + 600 <= 1000.
        second.IsAdmitted.ShouldBeTrue();
        fixture.Start(input: 301).IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public void Complete_UsedMoreThanReserved_ChargesTheExcess()
    {
        using var fixture = new LimiterFixture(Wide with { OutputTokensPerMinute = 1000 });
        using (var first = fixture.AcquireNow(output: 100))
        {
            first.Complete(new TokenUsage(InputTokens: 10, OutputTokens: 1500));
        }

        var next = fixture.Start(output: 100);

        // 1,500 spent of 1,000 per minute: 100 more fit when the debt is down to 900, 36 seconds later.
        fixture.Advance(TimeSpan.FromSeconds(36) - TimeSpan.FromMilliseconds(1));
        next.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(1));
        next.IsAdmitted.ShouldBeTrue();
    }

    [Fact]
    public void Dispose_NeverCompleted_ReturnsTheTokensButStillCountsTheRequest()
    {
        using var fixture = new LimiterFixture(Wide with { InputTokensPerMinute = 1000 });
        var failed = fixture.AcquireNow(input: 1000);
        var next = fixture.Start(input: 1000);
        next.IsCompleted.ShouldBeFalse();

        failed.Dispose();

        next.IsAdmitted.ShouldBeTrue();
        fixture.Limiter.Snapshot().RecentRequests.ShouldBe(2);
    }

    [Fact]
    public void Complete_LearnedBucketUnconfirmed_ReconcilesLocally()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), ("output-tokens", 60_000, 60_000)));
        using var permit = fixture.AcquireNow(output: 10_000);
        OutputRemaining(fixture).ShouldBe(50_000);

        permit.Complete(new TokenUsage(InputTokens: 1, OutputTokens: 2_500));

        OutputRemaining(fixture).ShouldBe(57_500);
    }

    [Fact]
    public void Observe_StreamHeadersBeforeItsOutput_KeepsTheOutputReservedUntilComplete()
    {
        using var fixture = new LimiterFixture(Wide);
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("output-tokens", 60_000, 60_000)));
        using var stream = fixture.AcquireNow(output: 10_000);

        // The stream's headers: the server has produced (and counted) none of its output yet.
        fixture.Limiter.Observe(stream, Headers(now, ("output-tokens", 60_000, 60_000)));
        OutputRemaining(fixture).ShouldBe(50_000);

        stream.Complete(new TokenUsage(InputTokens: 1, OutputTokens: 2_500));
        OutputRemaining(fixture).ShouldBe(57_500);
    }

    private static long? Remaining(LimiterFixture fixture) =>
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().InputTokens.Remaining;

    private static long? OutputRemaining(LimiterFixture fixture) =>
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().OutputTokens.Remaining;
}
