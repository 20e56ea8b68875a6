using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

/// <summary>The 💰 lines written without <c>LoggerMessage.Define</c> are the lines, events and fields it would write.</summary>
public sealed class UsageLogTests
{
    private static readonly Action<ILogger, string, int, decimal, decimal, Exception?> DefinedTokenCost =
        LoggerMessage.Define<string, int, decimal, decimal>(LogLevel.Information, new EventId(5002, "TokenCost"), UsageLog.TokenCostFormat);

    private static readonly Action<ILogger, decimal, long, string, Exception?> DefinedTotalCost =
        LoggerMessage.Define<decimal, long, string>(LogLevel.Information, new EventId(5003, "TotalCost"), UsageLog.TotalCostFormat);

    public static TheoryData<decimal> Amounts => new()
    {
        0m, 3m, 3.75m, 0.000075m, 0.0000000000005m, 0.00000000000049m, 123456.123456789012345m, 1.5m * 0.5m, 0.30m, 15.000000000m, 0.00012345678901234m,
    };

    [Theory]
    [MemberData(nameof(Amounts))]
    public void TokenCost_AnyAmount_SameLineEventAndFieldsAsTheTemplate(decimal amount)
    {
        var written = new FakeLogger();
        var defined = new FakeLogger();

        UsageLog.TokenCost(written, "Cache write (5m)", 1234, amount * 1_000_000m / 7m, amount);
        DefinedTokenCost(defined, "Cache write (5m)", 1234, amount * 1_000_000m / 7m, amount, null);

        Same(written.LatestRecord, defined.LatestRecord);
    }

    [Theory]
    [MemberData(nameof(Amounts))]
    public void TotalCost_AnyAmount_SameLineEventAndFieldsAsTheTemplate(decimal amount)
    {
        var written = new FakeLogger();
        var defined = new FakeLogger();

        UsageLog.TotalCost(written, amount, 42, "credits");
        DefinedTotalCost(defined, amount, 42, "credits", null);

        Same(written.LatestRecord, defined.LatestRecord);
    }

    [Theory]
    [InlineData(4, 14)]
    [InlineData(2, 8)]
    [InlineData(0, 3)]
    public void Decimals_ManyValues_SameCharactersAsTheCustomPattern(int min, int max)
    {
        var values = new List<decimal>
        {
            0m, 1m, 10m, 0.5m, 0.05m, 0.00005m, 0.000000000000005m, 0.000000000000015m, 0.000000000000025m,
            0.0000000000000049999m, 0.99999999999999999m, 9.999999995m, 0.000000005m, 0.0000000049m, 0.0015m, 0.0005m,
            79228162514264337593543950335m, 7922816251426433759354395.0335m, 1.0000000000000000000000000001m,
            decimal.MaxValue, -0.000000000000001m, -1.5m, -0.00001m, 3.000m, 0.30m, 15.000000000m,
            123456.123456789012345m, 0.1m + 0.2m, 1m / 3m, 2m / 3m, 1_000_000m / 7m,
        };
        var random = new Random(12);
        for (var i = 0; i < 5_000; i++)
        {
            var scale = (byte)random.Next(0, 29);
            values.Add(new decimal(random.Next(), random.Next(0, 4), 0, isNegative: false, scale));
            values.Add(Math.Round((decimal)random.NextDouble() * 1_000m, random.Next(0, 17)));
        }

        foreach (var value in values)
        {
            var decimals = new UsageLog.Decimals(value, min, max);
            var pattern = decimals.Pattern();

            decimals.ToString().ShouldBe(value.ToString(pattern, System.Globalization.CultureInfo.InvariantCulture), $"{value} as {pattern}");
        }
    }

    [Fact]
    public void TokenCost_InformationOff_NothingWritten()
    {
        var logger = new FakeLogger();
        logger.ControlLevel(LogLevel.Information, enabled: false);

        UsageLog.TokenCost(logger, "Input", 1, 3m, 0.000003m);

        logger.Collector.Count.ShouldBe(0);
    }

    private static void Same(FakeLogRecord written, FakeLogRecord defined)
    {
        written.Message.ShouldBe(defined.Message);
        written.Id.ShouldBe(defined.Id);
        written.Level.ShouldBe(defined.Level);
        written.StructuredState.ShouldBe(defined.StructuredState);
    }
}
