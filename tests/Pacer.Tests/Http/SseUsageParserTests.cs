using System.Text;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;

namespace Pacer.Tests.Http;

public sealed class SseUsageParserTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100_000)]
    public void Feed_AnyChunking_ReadsTheUsage(int chunkSize)
    {
        var bytes = Encoding.UTF8.GetBytes(Sse.MessageStart(321, cacheRead: 40) + Sse.BlockStart + Sse.Ping + Sse.Text("usage: {\\\"output_tokens\\\": 999}") + Sse.MessageDelta(17) + Sse.MessageDelta(58) + Sse.Stop);
        var parser = new SseUsageParser();

        for (var i = 0; i < bytes.Length; i += chunkSize)
        {
            parser.Feed(bytes.AsSpan(i, Math.Min(chunkSize, bytes.Length - i)));
        }

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(321, 58, 0, 40));
        parser.SawMessageStop.ShouldBeTrue();
        parser.ErrorType.ShouldBeNull();
    }

    [Fact]
    public void Feed_CrLfLineEnds_AreUnderstood()
    {
        var parser = new SseUsageParser();

        parser.Feed(Encoding.UTF8.GetBytes((Sse.MessageStart(5) + Sse.MessageDelta(6) + Sse.Stop).Replace("\n", "\r\n", StringComparison.Ordinal)));

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(5, 6));
        parser.SawMessageStop.ShouldBeTrue();
    }

    [Fact]
    public void Feed_MessageDeltaWithInputSide_ReplacesTheStartValues()
    {
        var parser = new SseUsageParser();

        parser.Feed(Encoding.UTF8.GetBytes(Sse.MessageStart(5) + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"cache_read_input_tokens\":2}}\n\n"));

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(9, 4, 0, 2));
    }

    [Fact]
    public void Feed_ErrorEvent_RecordsItsType()
    {
        var parser = new SseUsageParser();

        parser.Feed(Encoding.UTF8.GetBytes(Sse.MessageStart(5) + Sse.Overloaded));

        parser.ErrorType.ShouldBe("overloaded_error");
        parser.SawMessageStop.ShouldBeFalse();
    }

    [Fact]
    public void Feed_HugeTextDelta_IsNotHeld()
    {
        var parser = new SseUsageParser();
        var huge = Sse.Text(new string('x', 3_000_000));

        parser.Feed(Encoding.UTF8.GetBytes(Sse.MessageStart(1) + huge + Sse.MessageDelta(2)));

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(1, 2));
    }

    [Fact]
    public void Feed_NoUsageEvents_HasNoValue()
    {
        var parser = new SseUsageParser();

        parser.Feed(Encoding.UTF8.GetBytes(Sse.Ping + Sse.Text("hi")));

        parser.Usage.HasValue.ShouldBeFalse();
    }
}
