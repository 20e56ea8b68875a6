using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

public sealed class CostCalculatorTests
{
    private readonly FakeLogger<CostCalculator> _logger = new();

    [Fact]
    public void Calculate_SeedExample_IsExactlyTwoCredits()
    {
        var calculator = new CostCalculator(logger: _logger);

        var cost = calculator.Calculate("claude-3-5-sonnet-20241022", new TokenUsage(1500, 800));

        cost.InputCost.ShouldBe(0.0045m);
        cost.OutputCost.ShouldBe(0.0120m);
        cost.TotalCost.ShouldBe(0.0165m);
        cost.Credits.ShouldBe(2);
    }

    [Fact]
    public void Calculate_SeedExample_LogsTheSeedLines()
    {
        var calculator = new CostCalculator(logger: _logger);

        calculator.Calculate("claude-3-5-sonnet-20241022", new TokenUsage(1500, 800));

        _logger.Collector.GetSnapshot().Select(r => r.Message).ShouldBe(
        [
            "💰 Cost calculated for claude-3-5-sonnet-20241022:",
            "   Input tokens: 1500 @ $3.00/1M = $0.0045",
            "   Output tokens: 800 @ $15.00/1M = $0.0120",
            "   Total cost: $0.0165 (2 credits)",
        ]);
    }

    [Fact]
    public void Calculate_EveryModelInThePriceBook_PricesEachKindAtItsRate()
    {
        var calculator = new CostCalculator();
        var usage = new TokenUsage(InputTokens: 2_000_000, OutputTokens: 1_000_000, CacheCreationInputTokens: 3_000_000, CacheReadInputTokens: 4_000_000);
        var split = new CacheCreation(Ephemeral5mInputTokens: 1_000_000, Ephemeral1hInputTokens: 2_000_000);

        foreach (var model in PriceBook.Default.Models)
        {
            var price = PriceBook.Default.Families.Single(f => f.Models.Contains(model));

            var cost = calculator.Calculate(model + "-20250101", usage, split);

            cost.Price.ShouldBe(price, model);
            cost.InputCost.ShouldBe(2 * price.Input, model);
            cost.OutputCost.ShouldBe(price.Output, model);
            cost.CacheWrite5mCost.ShouldBe(price.CacheWrite5m, model);
            cost.CacheWrite1hCost.ShouldBe(2 * price.CacheWrite1h, model);
            cost.CacheReadCost.ShouldBe(4 * price.CacheRead, model);
            cost.TotalCost.ShouldBe((2 * price.Input) + price.Output + price.CacheWrite5m + (2 * price.CacheWrite1h) + (4 * price.CacheRead), model);
        }
    }

    [Fact]
    public void Calculate_CacheWritesWithoutSplit_ArePricedAsFiveMinuteWrites()
    {
        var cost = new CostCalculator().Calculate("claude-sonnet-4-5", new TokenUsage(100, 200, CacheCreationInputTokens: 10_000, CacheReadInputTokens: 50_000));

        cost.CacheWrite5mTokens.ShouldBe(10_000);
        cost.CacheWrite1hTokens.ShouldBe(0);
        // 100×3 + 200×15 + 10,000×3.75 + 50,000×0.30 = 300 + 3,000 + 37,500 + 15,000 = 55,800 per million.
        cost.TotalCost.ShouldBe(0.0558m);
        cost.Credits.ShouldBe(6);
    }

    [Fact]
    public void Calculate_OneHourSplit_PricesOneHourWritesAtTwiceInput()
    {
        var cost = new CostCalculator().Calculate(
            "claude-haiku-4-5", new TokenUsage(0, 0, CacheCreationInputTokens: 3000), new CacheCreation(1000, 2000));

        cost.CacheWrite5mCost.ShouldBe(0.00125m);
        cost.CacheWrite1hCost.ShouldBe(0.004m);
        cost.TotalCost.ShouldBe(0.00525m);
    }

    [Fact]
    public void Calculate_Batch_TakesHalfOffEveryKind()
    {
        var calculator = new CostCalculator(logger: _logger);

        var cost = calculator.Calculate("claude-3-5-sonnet-20241022", new TokenUsage(1500, 800), batch: true);

        cost.TotalCost.ShouldBe(0.00825m);
        cost.Credits.ShouldBe(1);
        _logger.Collector.GetSnapshot().Select(r => r.Message).ShouldBe(
        [
            "💰 Cost calculated for claude-3-5-sonnet-20241022 (batch):",
            "   Input tokens: 1500 @ $1.50/1M = $0.00225",
            "   Output tokens: 800 @ $7.50/1M = $0.0060",
            "   Total cost: $0.00825 (1 credit)",
        ]);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 0, 1)]               // $0.000003 → rounds up to one credit
    [InlineData(3333, 0, 1)]            // $0.009999
    [InlineData(3334, 0, 2)]            // $0.010002
    [InlineData(0, 2000, 3)]            // $0.03 exactly stays 3
    [InlineData(1_000_000, 1_000_000, 1800)] // $18 exactly
    public void Calculate_Credits_RoundUpPerRequest(int input, int output, long credits)
    {
        new CostCalculator().Calculate("claude-sonnet-4-5", new TokenUsage(input, output)).Credits.ShouldBe(credits);
    }

    [Fact]
    public void Calculate_CreditValueConfigured_DividesByIt()
    {
        var calculator = new CostCalculator(credits: new CreditOptions { CreditValueUsd = 0.001m });

        calculator.Calculate("claude-3-5-sonnet-20241022", new TokenUsage(1500, 800)).Credits.ShouldBe(17);
    }

    [Fact]
    public void Calculate_ManySmallRequests_SumWithoutDrift()
    {
        var calculator = new CostCalculator();
        var total = 0m;
        for (var i = 0; i < 10_000; i++)
        {
            total += calculator.Calculate("claude-3-haiku-20240307", new TokenUsage(1, 1, 0, 1)).TotalCost!.Value;
        }

        total.ShouldBe(0.0153m); // 10,000 × (0.25 + 1.25 + 0.03) per million
    }

    [Fact]
    public void Calculate_UnknownModel_KeepsTokensCostUnknownAndWarnsOnce()
    {
        var calculator = new CostCalculator(logger: _logger);

        var cost = calculator.Calculate("claude-next-1", new TokenUsage(10, 20, 30, 40));
        calculator.Calculate("claude-next-1", new TokenUsage(1, 2));

        cost.IsPriced.ShouldBeFalse();
        cost.TotalCost.ShouldBeNull();
        cost.Credits.ShouldBeNull();
        cost.InputCost.ShouldBeNull();
        cost.Usage.ShouldBe(new TokenUsage(10, 20, 30, 40));
        cost.CacheWrite5mTokens.ShouldBe(30);
        var warnings = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).ToList();
        warnings.Count.ShouldBe(1);
        warnings[0].Message.ShouldContain("No price for model claude-next-1");
        warnings[0].Message.ShouldContain("built-in");
    }

    [Fact]
    public void EstimateCredits_PricesInputAndMaxTokensAsOutput()
    {
        var calculator = new CostCalculator();

        calculator.EstimateCredits("claude-3-5-sonnet-20241022", new RequestCost(1500, 1000)).ShouldBe(2); // $0.0195
        calculator.EstimateCredits("claude-opus-4-1", new RequestCost(1000, 4096)).ShouldBe(33);           // $0.3222
        calculator.EstimateCredits("unknown-model", new RequestCost(1, 1)).ShouldBeNull();
    }
}
