using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>
/// <see cref="PacerOptions.TokenBurstSeconds"/>: the operator token budgets hold that many seconds of refill
/// (capacity limit × seconds / 60) and refill at limit / 60 per second.
/// </summary>
public sealed class LimiterTokenBurstTests
{
    private static readonly PacerOptions Wide = new() { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50, MaxQueueWait = 600_000 };

    [Theory]
    [InlineData(60, 60)]  // the default: a whole minute, 60,000 tokens at once
    [InlineData(5, 5)]    // 5 seconds: 5,000 tokens at once
    [InlineData(1, 1)]
    public void Acquire_InputBudget_AdmitsTheBurstAtOnce(int seconds, int expected)
    {
        using var fixture = new LimiterFixture(Wide with { InputTokensPerMinute = 60_000, TokenBurstSeconds = seconds });

        Admitted(fixture, input: 1_000, output: 0, most: 100).ShouldBe(expected);
    }

    [Fact]
    public void Acquire_InputBudgetPastTheBurst_PacedAtTheRefillRate()
    {
        using var fixture = new LimiterFixture(Wide with { InputTokensPerMinute = 60_000, TokenBurstSeconds = 5 });
        Admitted(fixture, input: 1_000, output: 0, most: 5).ShouldBe(5);

        // Empty after 5,000: 1,000 tokens per second come back, so the next 1,000 wait exactly one second.
        var next = fixture.Start(input: 1_000);
        fixture.ShouldAdmitAfter(next, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Acquire_OutputBudget_ReservesMaxTokensAgainstTheBurst()
    {
        using var fixture = new LimiterFixture(Wide with { OutputTokensPerMinute = 12_000, TokenBurstSeconds = 5 });

        // Capacity 1,000: two requests of max_tokens 500, then 500 more every 2.5 seconds.
        Admitted(fixture, input: 0, output: 500, most: 10).ShouldBe(2);
    }

    [Fact]
    public void Acquire_LargerThanTheBurst_WaitsForAFullBucketThenRepaysTheDebt()
    {
        using var fixture = new LimiterFixture(Wide with { InputTokensPerMinute = 60_000, TokenBurstSeconds = 5 });
        Admitted(fixture, input: 1_000, output: 0, most: 5).ShouldBe(5);

        // 8,000 is above the 5,000 capacity but within the minute's limit: it waits until the bucket is full (5 s).
        var large = fixture.Start(input: 8_000);
        fixture.ShouldAdmitAfter(large, TimeSpan.FromSeconds(5));

        // Then the debt of 3,000 below empty, plus 1,000 for the next request: 4 seconds.
        var after = fixture.Start(input: 1_000);
        fixture.ShouldAdmitAfter(after, TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void Acquire_LargerThanTheMinute_StillTooLarge()
    {
        using var fixture = new LimiterFixture(Wide with { InputTokensPerMinute = 60_000, TokenBurstSeconds = 5 });

        fixture.Start(input: 60_001).ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.TooLarge);
    }

    [Fact]
    public void Reconfigure_TokenBurstSeconds_AppliesToTheNextAdmission()
    {
        using var fixture = new LimiterFixture(Wide with { InputTokensPerMinute = 60_000, TokenBurstSeconds = 5 });
        Admitted(fixture, input: 1_000, output: 0, most: 100).ShouldBe(5);

        fixture.Limiter.Reconfigure(new PacerOptionsUpdate().Set("PACER_TOKEN_BURST_SECONDS", 10));

        // The 5,000 already spent stay spent: 5,000 more of the new 10,000 capacity.
        Admitted(fixture, input: 1_000, output: 0, most: 100).ShouldBe(5);
    }

    private static int Admitted(LimiterFixture fixture, int input, int output, int most)
    {
        var count = 0;
        while (count < most && fixture.Limiter.TryAcquire(LimiterFixture.Request(input: input, output: output), out var permit))
        {
            // Completed as used, so the tokens stay spent after the release.
            permit.Complete(new TokenUsage(InputTokens: input, OutputTokens: output));
            permit.Dispose();
            count++;
        }

        return count;
    }
}
