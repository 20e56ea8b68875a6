using System.Text.Json;
using Pacer.Simulator.Api;
using Pacer.Simulator.Messages;
using Pacer.Simulator.Models;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Api;

public sealed class PacingTests
{
    private static readonly LatencyOptions Latency = new() { TimeToFirstTokenMs = 400, TokensPerSecond = 80, Jitter = 0.2 };

    private static MessageRequest Request(string prompt, string model = "claude-sonnet-4-5")
    {
        using var body = JsonDocument.Parse($$"""{"model":"{{model}}","max_tokens":100,"messages":[{"role":"user","content":{{JsonSerializer.Serialize(prompt)}}}]}""");
        return RequestParser.Parse(body.RootElement, ModelCatalog.From(new SimulatorOptions()), countTokens: false);
    }

    private static (TimeSpan FirstToken, TimeSpan Tokens) Delays(Pacing pacing, MessageRequest request)
    {
        var draws = pacing.Draws(request);
        return (pacing.FirstToken(draws), pacing.Tokens(1024, draws));
    }

    [Fact]
    public void Draws_SameRequest_SameDelaysWhateverWasAnsweredBefore()
    {
        var pacing = new Pacing(Latency, seed: 7, TimeProvider.System);
        var first = Delays(pacing, Request("the long one"));

        // Other answers in between, in any number, draw from sequences of their own.
        for (var i = 0; i < 50; i++)
        {
            Delays(pacing, Request($"other {i}"));
        }

        Delays(new Pacing(Latency, seed: 7, TimeProvider.System), Request("the long one")).ShouldBe(first);
        Delays(pacing, Request("the long one")).ShouldBe(first);
    }

    [Fact]
    public void Draws_OtherPromptModelOrSeed_OtherDelays()
    {
        var pacing = new Pacing(Latency, seed: 7, TimeProvider.System);
        var first = Delays(pacing, Request("the long one"));

        Delays(pacing, Request("the long one.")).ShouldNotBe(first);
        Delays(pacing, Request("the long one", "claude-opus-4-1")).ShouldNotBe(first);
        Delays(new Pacing(Latency, seed: 8, TimeProvider.System), Request("the long one")).ShouldNotBe(first);
    }

    [Fact]
    public void Draws_OverManyRequests_StayWithinTheJitterAndAverageTheMean()
    {
        var pacing = new Pacing(Latency, seed: 1, TimeProvider.System);
        var tokens = Enumerable.Range(0, 2000).Select(i => Delays(pacing, Request($"p{i}")).Tokens.TotalSeconds).ToList();

        // 1,024 tokens at 80 a second: 12.8 s, scaled by a draw in [0.8, 1.2].
        tokens.ShouldAllBe(t => t >= 12.8 * 0.8 && t <= 12.8 * 1.2);
        tokens.Average().ShouldBe(12.8, tolerance: 0.1);
    }
}
