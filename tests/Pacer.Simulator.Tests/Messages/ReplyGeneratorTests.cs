using System.Text.Json;
using Pacer.Simulator.Messages;
using Pacer.Simulator.Models;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Messages;

public sealed class ReplyGeneratorTests
{
    private static MessageRequest Request(string prompt, long maxTokens = 1000, string[]? stops = null)
    {
        var stopJson = stops is null ? "" : $",\"stop_sequences\":{JsonSerializer.Serialize(stops)}";
        using var body = JsonDocument.Parse($$"""{"model":"claude-sonnet-4-5","max_tokens":{{maxTokens}}{{stopJson}},"messages":[{"role":"user","content":{{JsonSerializer.Serialize(prompt)}}}]}""");
        return RequestParser.Parse(body.RootElement, ModelCatalog.From(new SimulatorOptions()), countTokens: false);
    }

    [Fact]
    public void Generate_SameSeedAndPrompt_SameReply()
    {
        var a = new ReplyGenerator(new OutputOptions(), 5).Generate(Request("hello"));
        var b = new ReplyGenerator(new OutputOptions(), 5).Generate(Request("hello"));

        b.Text.ShouldBe(a.Text);
        b.StopReason.ShouldBe(a.StopReason);
    }

    [Fact]
    public void Generate_OtherSeed_OtherReply() =>
        new ReplyGenerator(new OutputOptions(), 6).Generate(Request("hello")).Text
            .ShouldNotBe(new ReplyGenerator(new OutputOptions(), 5).Generate(Request("hello")).Text);

    [Fact]
    public void Generate_AnyPrompt_OutputTokensCountTheTextExactly()
    {
        var generator = new ReplyGenerator(new OutputOptions { MeanTokens = 300 }, 1);

        for (var i = 0; i < 200; i++)
        {
            var reply = generator.Generate(Request($"prompt {i}"));
            TokenCounter.Count(reply.Text).ShouldBe(reply.OutputTokens, reply.Text);
            reply.OutputTokens.ShouldBeInRange(1, 1000);
        }
    }

    [Fact]
    public void Generate_ManyPrompts_SomeHitMaxTokensWithThatStopReason()
    {
        var generator = new ReplyGenerator(new OutputOptions { MeanTokens = 50, MaxTokensRate = 0.05 }, 1);

        var replies = Enumerable.Range(0, 1000).Select(i => generator.Generate(Request($"p{i}", maxTokens: 100))).ToList();

        var hits = replies.Where(r => r.StopReason == "max_tokens").ToList();
        hits.ShouldAllBe(r => r.OutputTokens == 100);
        hits.Count.ShouldBeInRange(100, 300); // 5% on purpose plus e^-2 ≈ 13.5% of the draws above 100
        replies.Where(r => r.StopReason == "end_turn").ShouldAllBe(r => r.OutputTokens < 100);
    }

    [Fact]
    public void Generate_StopSequences_SometimesStopsOnTheFirst()
    {
        var generator = new ReplyGenerator(new OutputOptions { StopSequenceRate = 0.5, MaxTokensRate = 0 }, 1);

        var replies = Enumerable.Range(0, 400).Select(i => generator.Generate(Request($"s{i}", stops: ["END", "STOP"]))).ToList();

        var stopped = replies.Where(r => r.StopReason == "stop_sequence").ToList();
        stopped.Count.ShouldBeInRange(150, 250);
        stopped.ShouldAllBe(r => r.StopSequence == "END");
    }
}
