using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Telemetry;

namespace Pacer.Tests.Telemetry;

/// <summary>The attempt's three seed lines, written from typed state, against what <c>LoggerMessage.Define</c> writes.</summary>
public sealed class PacerLogLinesTests
{
    [Theory]
    [InlineData(1, 4, "/v1/messages")]
    [InlineData(12, 12, "/api/generate-scene?x={y}")]
    [InlineData(-1, 0, "")]
    public void Attempt_AnyValues_TheTemplatesLineEventAndFields(int attempt, int attempts, string endpoint)
    {
        var defined = LoggerMessage.Define<int, int, string>(LogLevel.Information, new EventId(1, "Attempt"), PacerLog.AttemptFormat);

        var (written, expected) = Both(logger => PacerLog.Attempt(logger, attempt, attempts, endpoint), logger => defined(logger, attempt, attempts, endpoint, null));

        Same(written, expected);
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(9999, 10000)]
    public void CurrentAndRecent_AnyValues_TheTemplatesLineEventAndFields(int count, int limit)
    {
        var current = LoggerMessage.Define<int, int>(LogLevel.Information, new EventId(2, "CurrentRequests"), PacerLog.CurrentRequestsFormat);
        var recent = LoggerMessage.Define<int, int>(LogLevel.Information, new EventId(3, "RecentRequests"), PacerLog.RecentRequestsFormat);

        var (writtenCurrent, expectedCurrent) = Both(logger => PacerLog.CurrentRequests(logger, count, limit), logger => current(logger, count, limit, null));
        var (writtenRecent, expectedRecent) = Both(logger => PacerLog.RecentRequests(logger, count, limit), logger => recent(logger, count, limit, null));

        Same(writtenCurrent, expectedCurrent);
        Same(writtenRecent, expectedRecent);
    }

    [Fact]
    public void Attempt_InformationOff_NothingWritten()
    {
        var logger = new FakeLogger();
        logger.ControlLevel(LogLevel.Information, enabled: false);

        PacerLog.Attempt(logger, 1, 4, "/v1/messages");

        logger.Collector.Count.ShouldBe(0);
    }

    private static (FakeLogRecord Written, FakeLogRecord Expected) Both(Action<ILogger> write, Action<ILogger> define)
    {
        var written = new FakeLogger();
        var expected = new FakeLogger();
        write(written);
        define(expected);
        return (written.LatestRecord, expected.LatestRecord);
    }

    private static void Same(FakeLogRecord written, FakeLogRecord expected)
    {
        (written.Message, written.Id, written.Level).ShouldBe((expected.Message, expected.Id, expected.Level));
        written.StructuredState.ShouldBe(expected.StructuredState);
    }
}
