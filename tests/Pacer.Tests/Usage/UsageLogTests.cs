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
