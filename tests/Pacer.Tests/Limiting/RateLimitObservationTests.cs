using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class RateLimitObservationTests
{
    private static readonly DateTimeOffset Now = new(2025, 2, 24, 22, 25, 15, TimeSpan.Zero);

    [Fact]
    public void FromHeaders_RealCapture_ReadsEveryBudget()
    {
        var headers = new Dictionary<string, string>
        {
            ["anthropic-ratelimit-requests-limit"] = "1000",
            ["anthropic-ratelimit-requests-remaining"] = "999",
            ["anthropic-ratelimit-requests-reset"] = "2025-02-24T22:25:15Z",
            ["anthropic-ratelimit-input-tokens-limit"] = "80000",
            ["anthropic-ratelimit-input-tokens-remaining"] = "78000",
            ["anthropic-ratelimit-input-tokens-reset"] = "2025-02-24T22:25:17Z",
            ["anthropic-ratelimit-output-tokens-limit"] = "16000",
            ["anthropic-ratelimit-output-tokens-remaining"] = "12000",
            ["anthropic-ratelimit-output-tokens-reset"] = "2025-02-24T22:25:30Z",
        };

        var observation = RateLimitObservation.FromHeaders(name => headers.GetValueOrDefault(name), Now);

        observation.Requests.ShouldBe(new BudgetObservation(1000, 999, TimeSpan.Zero));
        observation.InputTokens.ShouldBe(new BudgetObservation(80_000, 78_000, TimeSpan.FromSeconds(2)));
        observation.OutputTokens.ShouldBe(new BudgetObservation(16_000, 12_000, TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void FromHeaders_MissingOrGarbage_LeavesTheBudgetUnknown()
    {
        var headers = new Dictionary<string, string>
        {
            ["anthropic-ratelimit-requests-limit"] = "lots",
            ["anthropic-ratelimit-requests-remaining"] = "5",
            ["anthropic-ratelimit-output-tokens-limit"] = "100",
            ["anthropic-ratelimit-output-tokens-remaining"] = "250",
            ["anthropic-ratelimit-output-tokens-reset"] = "soon",
        };

        var observation = RateLimitObservation.FromHeaders(name => headers.GetValueOrDefault(name), Now);

        observation.Requests.IsKnown.ShouldBeFalse();
        observation.InputTokens.IsKnown.ShouldBeFalse();
        observation.OutputTokens.ShouldBe(new BudgetObservation(100, 100, null));
        RateLimitObservation.FromHeaders(_ => null, Now).IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void FromHeaders_ResponseHeaders_AreRead()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-limit", "50");
        response.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-remaining", "49");

        RateLimitObservation.FromHeaders(response.Headers, Now).Requests.ShouldBe(new BudgetObservation(50, 49, null));
    }
}
