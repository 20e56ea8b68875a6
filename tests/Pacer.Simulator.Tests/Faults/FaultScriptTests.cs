using Pacer.Simulator.Faults;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Faults;

public sealed class FaultScriptTests
{
    private static readonly FaultOptions Options = new() { RetryAfterSeconds = 1, SlowFirstTokenMs = 5000 };

    [Fact]
    public void Parse_RetryAfterThenOk_GivesTwoSteps()
    {
        var steps = FaultScript.Parse("429:2, ok", Options);

        steps.Count.ShouldBe(2);
        steps[0].ShouldBe(new FaultStep(FaultKind.Status, "429:2", 429, 2));
        steps[1].Kind.ShouldBe(FaultKind.None);
    }

    [Theory]
    [InlineData("429", 429, 1)]
    [InlineData("429:none", 429, null)]
    [InlineData("500", 500, null)]
    [InlineData("503:7", 503, 7)]
    [InlineData("504", 504, null)]
    [InlineData("529", 529, null)]
    [InlineData("overloaded", 529, null)]
    public void ParseStep_Status_KeepsStatusAndRetryAfter(string text, int status, int? retryAfter)
    {
        var step = FaultScript.ParseStep(text, Options);

        step.Kind.ShouldBe(FaultKind.Status);
        step.Status.ShouldBe(status);
        step.RetryAfterSeconds.ShouldBe(retryAfter);
    }

    [Theory]
    [InlineData("spend-limit", nameof(FaultKind.SpendLimit), 0)]
    [InlineData("reset", nameof(FaultKind.Reset), 0)]
    [InlineData("no-response", nameof(FaultKind.NoResponse), 0)]
    [InlineData("slow", nameof(FaultKind.Slow), 5000)]
    [InlineData("slow:250", nameof(FaultKind.Slow), 250)]
    [InlineData("cut", nameof(FaultKind.Cut), 3)]
    [InlineData("cut:7", nameof(FaultKind.Cut), 7)]
    [InlineData("stall:2", nameof(FaultKind.Stall), 2)]
    [InlineData("malformed:4", nameof(FaultKind.Malformed), 4)]
    [InlineData("error-event:5", nameof(FaultKind.ErrorEvent), 5)]
    [InlineData("RESET", nameof(FaultKind.Reset), 0)]
    public void ParseStep_Named_KeepsKindAndArgument(string text, string kind, int argument)
    {
        var step = FaultScript.ParseStep(text, Options);

        step.Kind.ToString().ShouldBe(kind);
        step.Argument.ShouldBe(argument);
    }

    [Fact]
    public void Parse_Times_RepeatsTheStep()
    {
        var steps = FaultScript.Parse("529*3,ok", Options);

        steps.Select(s => s.Text).ShouldBe(["529", "529", "529", "ok"]);
    }

    [Theory]
    [InlineData("418")]
    [InlineData("explode")]
    [InlineData("cut:many")]
    [InlineData("")]
    [InlineData(" , ")]
    public void Parse_Unreadable_ThrowsFormatExceptionSayingWhy(string script) =>
        Should.Throw<FormatException>(() => FaultScript.Parse(script, Options)).Message.ShouldNotBeNullOrWhiteSpace();

    [Fact]
    public void ParseRates_Pairs_ReadsStepsAndProbabilities()
    {
        var rates = FaultScript.ParseRates("529=0.05, 429:none=0.01, cut:3=0.02", Options);

        rates.Select(r => (r.Step.Text, r.Rate)).ShouldBe([("529", 0.05), ("429:none", 0.01), ("cut:3", 0.02)]);
    }

    [Theory]
    [InlineData("529=0.6,500=0.6")]
    [InlineData("529")]
    [InlineData("529=2")]
    public void ParseRates_Invalid_Throws(string rates) =>
        Should.Throw<FormatException>(() => FaultScript.ParseRates(rates, Options));
}
