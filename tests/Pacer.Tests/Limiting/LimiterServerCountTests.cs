using System.Globalization;
using System.Net.Http.Headers;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>
/// A response shows the server's count after its request arrived, so it includes every request of the same bucket sent
/// before it: those stop being subtracted from the server's remaining. Output reservations count too once the upstream
/// is known to reserve <c>max_tokens</c> on arrival.
/// </summary>
public sealed class LimiterServerCountTests
{
    // Output counted as produced, as the upstream these tests play does (auto would hold max_tokens until a response shows it).
    private static readonly PacerOptions Wide = new() { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50, OutputReservation = OutputReservation.Estimate };

    [Fact]
    public void Observe_LaterRequestAnswered_CountsTheEarlierOnesOfItsBucket()
    {
        using var fixture = new LimiterFixture(Wide);
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("input-tokens", 100_000, 100_000)));
        using var earlier = fixture.AcquireNow(input: 20_000);
        using var otherModel = fixture.AcquireNow(model: "claude-opus-4-1", input: 7_000);
        using var answered = fixture.AcquireNow(input: 5_000);
        using var later = fixture.AcquireNow(input: 3_000);

        fixture.Limiter.Observe(answered, Headers(now, ("input-tokens", 100_000, 75_000)));

        // The server counted the earlier and the answered request; only the later one is still held locally.
        InputRemaining(fixture, "claude-sonnet-4").ShouldBe(75_000 - 500 - 3_000);
    }

    [Fact]
    public void Observe_LaterRequestsAdmittedWellBeforeTheResponse_CountsThemToo()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), ("input-tokens", 100_000, 100_000)));
        using var answered = fixture.AcquireNow(input: 5_000);
        fixture.Advance(TimeSpan.FromSeconds(1));
        using var later = fixture.AcquireNow(input: 3_000);
        fixture.Advance(TimeSpan.FromMilliseconds(300));
        using var justSent = fixture.AcquireNow(input: 2_000);
        fixture.Advance(TimeSpan.FromMilliseconds(100));

        fixture.Limiter.Observe(answered, Headers(fixture.Time.GetUtcNow(), ("input-tokens", 100_000, 72_000)));

        // The server wrote its count 1.4 s after the answered request: the one sent 400 ms before the answer reached it
        // and is in the count; the one sent 100 ms before may not have (LimiterEngine.HeaderTransit, 250 ms) and is held.
        InputRemaining(fixture, "claude-sonnet-4").ShouldBe(72_000 - 500 - 2_000);
        LimiterEngine.HeaderTransit.ShouldBe(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public void Observe_AnswerOfARequestAlreadyCounted_StillCountsTheLaterOnesSentWellBefore()
    {
        using var fixture = new LimiterFixture(Wide);
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(fixture.Time.GetUtcNow(), ("input-tokens", 100_000, 100_000)));
        using var slow = fixture.AcquireNow(input: 5_000);
        using var fast = fixture.AcquireNow(input: 1_000);
        fixture.Limiter.Observe(fast, Headers(fixture.Time.GetUtcNow(), ("input-tokens", 100_000, 94_000)));
        fixture.Advance(TimeSpan.FromSeconds(1));
        using var later = fixture.AcquireNow(input: 3_000);
        fixture.Advance(TimeSpan.FromSeconds(1));

        fixture.Limiter.Observe(slow, Headers(fixture.Time.GetUtcNow(), ("input-tokens", 100_000, 91_000)));

        InputRemaining(fixture, "claude-sonnet-4").ShouldBe(90_500);
    }

    [Fact]
    public void Complete_EarlierRequestCountedByALaterResponse_KeepsTheServersFigure()
    {
        using var fixture = new LimiterFixture(Wide);
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("input-tokens", 100_000, 100_000)));
        var earlier = fixture.AcquireNow(input: 20_000);
        using var answered = fixture.AcquireNow(input: 5_000);
        fixture.Limiter.Observe(answered, Headers(now, ("input-tokens", 100_000, 75_000)));

        earlier.Complete(new TokenUsage(InputTokens: 10_000, OutputTokens: 1));
        earlier.Dispose();

        InputRemaining(fixture, "claude-sonnet-4").ShouldBe(74_500);
    }

    [Fact]
    public void Observe_BucketKnownToReserveMaxTokens_CountsTheOutputReservationsToo()
    {
        using var fixture = new LimiterFixture(Wide with { OutputReservation = OutputReservation.Auto });
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("output-tokens", 60_000, 60_000)));

        // A 429 proves the reserving accounting (output remaining 3,000 below max_tokens 8,000).
        using (var refused = fixture.AcquireNow(output: 8_000))
        {
            fixture.Limiter.Observe(refused, Refusal(fixture));
            fixture.Limiter.Cooldown("k", "claude-sonnet-4-5", TimeSpan.Zero);
        }

        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("output-tokens", 60_000, 60_000)));

        using var earlier = fixture.AcquireNow(output: 4_000);
        using var answered = fixture.AcquireNow(output: 2_000);
        using var later = fixture.AcquireNow(output: 1_000);
        fixture.Limiter.Observe(answered, Headers(now, ("output-tokens", 60_000, 50_000)));

        // The server holds the earlier and answered reservations already: only the later one is subtracted again, and
        // the remaining is taken at the low end of its rounding (the server refuses below max_tokens): 50,000 - 500 - 1,000.
        OutputRemaining(fixture).ShouldBe(48_500);

        // At the end the server refunds what was not produced, and so does the limiter.
        answered.Complete(new TokenUsage(InputTokens: 1, OutputTokens: 500));
        OutputRemaining(fixture).ShouldBe(50_000);
    }

    [Fact]
    public void Observe_OutputCountedAsProduced_KeepsTheOutputReservationsOfRequestsInFlight()
    {
        using var fixture = new LimiterFixture(Wide);
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("output-tokens", 60_000, 60_000)));
        using var earlier = fixture.AcquireNow(output: 4_000);
        using var answered = fixture.AcquireNow(output: 2_000);

        fixture.Limiter.Observe(answered, Headers(now, ("output-tokens", 60_000, 60_000)));

        OutputRemaining(fixture).ShouldBe(54_000);
    }

    [Theory]
    [InlineData(true, 55_000)]  // a non-streaming answer: its 500 output tokens are in the server's 59,000 already
    [InlineData(false, 54_500)] // a stream: its headers came before its output, which the limiter counts once, itself
    public void Complete_OutputCountedAsProduced_CountsTheAnswersOutputOnce(bool answerComplete, long expected)
    {
        using var fixture = new LimiterFixture(Wide);
        var now = fixture.Time.GetUtcNow();
        fixture.Limiter.Observe("k", "claude-sonnet-4-5", Headers(now, ("output-tokens", 60_000, 60_000)));
        using var earlier = fixture.AcquireNow(output: 4_000);
        using var answered = fixture.AcquireNow(output: 2_000);

        fixture.Limiter.Observe(answered, Headers(now, ("output-tokens", 60_000, 59_000)), answerComplete);
        answered.Complete(new TokenUsage(InputTokens: 1, OutputTokens: 500));

        // The earlier request, still in flight, keeps its 4,000 held either way.
        OutputRemaining(fixture).ShouldBe(expected);
    }

    private static HttpResponseHeaders Refusal(LimiterFixture fixture)
    {
        var headers = Headers(fixture.Time.GetUtcNow(), ("requests", 1_000, 500), ("input-tokens", 100_000, 50_000), ("output-tokens", 60_000, 3_000));
        headers.TryAddWithoutValidation("retry-after", "0");
        return headers;
    }

    /// <summary>Headers whose reset is consistent with a whole minute's bucket: (limit - remaining) at limit / 60 per second.</summary>
    private static HttpResponseHeaders Headers(DateTimeOffset now, params (string Budget, long Limit, long Remaining)[] budgets)
    {
        using var response = new HttpResponseMessage();
        foreach (var (budget, limit, remaining) in budgets)
        {
            var reset = now.AddSeconds(Math.Ceiling((limit - remaining) * 60.0 / limit));
            response.Headers.TryAddWithoutValidation($"anthropic-ratelimit-{budget}-limit", limit.ToString(CultureInfo.InvariantCulture));
            response.Headers.TryAddWithoutValidation($"anthropic-ratelimit-{budget}-remaining", remaining.ToString(CultureInfo.InvariantCulture));
            response.Headers.TryAddWithoutValidation($"anthropic-ratelimit-{budget}-reset", reset.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        }

        return response.Headers;
    }

    private static long? InputRemaining(LimiterFixture fixture, string modelClass) =>
        fixture.Limiter.Snapshot().UpstreamBuckets.Single(b => b.ModelClass == modelClass).InputTokens.Remaining;

    private static long? OutputRemaining(LimiterFixture fixture) =>
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().OutputTokens.Remaining;
}
