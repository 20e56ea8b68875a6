using Microsoft.AspNetCore.Http;
using Pacer.Simulator.Limits;

namespace Pacer.Simulator.Tests.Limits;

public sealed class RateLimitHeadersTests
{
    private static readonly DateTimeOffset Now = new(2025, 2, 24, 22, 25, 15, TimeSpan.Zero);

    [Fact]
    public void Write_RealCapture_MatchesTheDocumentedValues()
    {
        // The documented Tier 2 capture: 1000/999 requests, 80000/78000 input, 16000/12000 output, output reset 15 s later.
        var reading = new LimitReading(
            new BucketReading(1000, 999, Now.AddSeconds(0.06)),
            new BucketReading(80_000, 77_800, Now.AddSeconds(1.65)),
            new BucketReading(16_000, 12_000, Now.AddSeconds(15)));
        var headers = new HeaderDictionary();

        RateLimitHeaders.Write(headers, reading, 1000);

        headers["anthropic-ratelimit-requests-limit"].ToString().ShouldBe("1000");
        headers["anthropic-ratelimit-requests-remaining"].ToString().ShouldBe("999");
        headers["anthropic-ratelimit-requests-reset"].ToString().ShouldBe("2025-02-24T22:25:16Z");
        headers["anthropic-ratelimit-input-tokens-limit"].ToString().ShouldBe("80000");
        headers["anthropic-ratelimit-input-tokens-remaining"].ToString().ShouldBe("78000");
        headers["anthropic-ratelimit-input-tokens-reset"].ToString().ShouldBe("2025-02-24T22:25:17Z");
        headers["anthropic-ratelimit-output-tokens-limit"].ToString().ShouldBe("16000");
        headers["anthropic-ratelimit-output-tokens-remaining"].ToString().ShouldBe("12000");
        headers["anthropic-ratelimit-output-tokens-reset"].ToString().ShouldBe("2025-02-24T22:25:30Z");
        headers["anthropic-ratelimit-tokens-limit"].ToString().ShouldBe("96000");
        headers["anthropic-ratelimit-tokens-remaining"].ToString().ShouldBe("90000");
        headers["anthropic-ratelimit-tokens-reset"].ToString().ShouldBe("2025-02-24T22:25:30Z");
    }

    [Theory]
    [InlineData(29_499, 1000, 29_000)]
    [InlineData(29_500, 1000, 30_000)]
    [InlineData(400, 1000, 0)]
    [InlineData(7_777, 1, 7_777)]
    public void Round_TokenRemainder_GoesToTheNearestMultiple(long value, int rounding, long expected) =>
        RateLimitHeaders.Round(value, rounding).ShouldBe(expected);

    [Fact]
    public void Write_LimitBelowTheRounding_ShowsExactValues()
    {
        var reading = new LimitReading(new BucketReading(50, 50, Now), new BucketReading(800, 790, Now), new BucketReading(300, 300, Now));
        var headers = new HeaderDictionary();

        RateLimitHeaders.Write(headers, reading, 1000);

        headers["anthropic-ratelimit-input-tokens-remaining"].ToString().ShouldBe("790");
        headers["anthropic-ratelimit-output-tokens-remaining"].ToString().ShouldBe("300");
        headers["anthropic-ratelimit-tokens-limit"].ToString().ShouldBe("1100");
        headers["anthropic-ratelimit-tokens-remaining"].ToString().ShouldBe("1000");
    }

    [Theory]
    [InlineData(667, "1000")] // full: 20,000 a minute over 2 s holds 667 tokens, shown as a thousand
    [InlineData(499, "0")] // three quarters of it already reads empty
    [InlineData(0, "0")]
    public void Write_BucketSmallerThanTheRounding_SaysAlmostNothing(long remaining, string shown)
    {
        // The goodput benchmark's tiny output bucket: the limit (20,000) is above the rounding, so it rounds, and the
        // bucket (2 s of refill) never holds even one step.
        var reading = new LimitReading(new BucketReading(1000, 33, Now), new BucketReading(400_000, 13_333, Now), new BucketReading(20_000, remaining, Now.AddSeconds(2)));
        var headers = new HeaderDictionary();

        RateLimitHeaders.Write(headers, reading, 1000);

        headers["anthropic-ratelimit-output-tokens-limit"].ToString().ShouldBe("20000");
        headers["anthropic-ratelimit-output-tokens-remaining"].ToString().ShouldBe(shown);
        headers["anthropic-ratelimit-output-tokens-reset"].ToString().ShouldBe("2025-02-24T22:25:17Z");
    }

    [Fact]
    public void FormatReset_WholeSecond_StaysAsIs() =>
        RateLimitHeaders.FormatReset(Now).ShouldBe("2025-02-24T22:25:15Z");
}
