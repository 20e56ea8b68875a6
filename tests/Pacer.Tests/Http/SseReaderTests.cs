using System.Text;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;
using Pacer.Tests.Support;

namespace Pacer.Tests.Http;

public sealed class SseReaderTests
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
        var parser = new SseReader();

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
        var parser = new SseReader();

        parser.Feed(Encoding.UTF8.GetBytes((Sse.MessageStart(5) + Sse.MessageDelta(6) + Sse.Stop).Replace("\n", "\r\n", StringComparison.Ordinal)));

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(5, 6));
        parser.SawMessageStop.ShouldBeTrue();
    }

    [Fact]
    public void Feed_MessageDeltaWithInputSide_ReplacesTheStartValues()
    {
        var parser = new SseReader();

        parser.Feed(Encoding.UTF8.GetBytes(Sse.MessageStart(5) + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"cache_read_input_tokens\":2}}\n\n"));

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(9, 4, 0, 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(100_000)]
    public void Feed_MessageStartWithCacheCreation_KeepsTheLifetimeSplit(int chunkSize)
    {
        var bytes = Encoding.UTF8.GetBytes(Sse.MessageStartWithCacheWrites(12, cacheWrite5m: 300, cacheWrite1h: 4000) + Sse.Text("hi") + Sse.MessageDelta(8) + Sse.Stop);
        var parser = new SseReader();

        for (var i = 0; i < bytes.Length; i += chunkSize)
        {
            parser.Feed(bytes.AsSpan(i, Math.Min(chunkSize, bytes.Length - i)));
        }

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(12, 8, 4300, 0));
        parser.Usage.ToCacheCreation().ShouldBe(new CacheCreation(300, 4000));
    }

    [Fact]
    public void Feed_MessageDeltaWithCacheCreation_ReplacesTheWholeSplit()
    {
        var parser = new SseReader();

        parser.Feed(Encoding.UTF8.GetBytes(Sse.MessageStartWithCacheWrites(12, cacheWrite5m: 300, cacheWrite1h: 4000) + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"output_tokens\":4,\"cache_creation_input_tokens\":4500,\"cache_creation\":{\"ephemeral_1h_input_tokens\":4500}}}\n\n"));

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(12, 4, 4500, 0));
        parser.Usage.ToCacheCreation().ShouldBe(new CacheCreation(0, 4500));
    }

    [Fact]
    public void Feed_ErrorEvent_RecordsItsType()
    {
        var parser = new SseReader();

        parser.Feed(Encoding.UTF8.GetBytes(Sse.MessageStart(5) + Sse.Overloaded));

        parser.ErrorType.ShouldBe("overloaded_error");
        parser.SawMessageStop.ShouldBeFalse();
    }

    [Fact]
    public void Feed_HugeTextDelta_IsNotHeld()
    {
        var parser = new SseReader();
        var huge = Sse.Text(new string('x', 3_000_000));

        parser.Feed(Encoding.UTF8.GetBytes(Sse.MessageStart(1) + huge + Sse.MessageDelta(2)));

        parser.Usage.ToUsage().ShouldBe(new TokenUsage(1, 2));
    }

    [Fact]
    public void Feed_NoUsageEvents_HasNoValue()
    {
        var parser = new SseReader();

        parser.Feed(Encoding.UTF8.GetBytes(Sse.Ping + Sse.Text("hi")));

        parser.Usage.HasValue.ShouldBeFalse();
    }

    private const string Start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12,\"output_tokens\":1,\"cache_read_input_tokens\":4}}}\n\n";
    private const string Delta = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":30}}\n\n";
    private const string Stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    [Fact]
    public void WholeEventBytes_EventSplitAcrossReads_EndsOnlyAtItsBlankLine()
    {
        var reader = new SseReader();

        reader.Feed(Encoding.UTF8.GetBytes(Start[..20]));
        reader.WholeEventBytes.ShouldBe(0);
        reader.Feed(Encoding.UTF8.GetBytes(Start[20..] + Stop[..5]));
        reader.WholeEventBytes.ShouldBe(Start.Length);
        reader.Feed(Encoding.UTF8.GetBytes(Stop[5..]));
        reader.WholeEventBytes.ShouldBe(Start.Length + Stop.Length);
    }

    [Fact]
    public void WholeEventBytes_SeveralEventsInOneRead_EndsAfterTheLastWholeOne()
    {
        var reader = new SseReader();

        reader.Feed(Encoding.UTF8.GetBytes(Start + Delta + "event: ping"));

        reader.WholeEventBytes.ShouldBe(Start.Length + Delta.Length);
        reader.Finished.ShouldBeFalse();
    }

    [Fact]
    public void WholeEventBytes_CrLfLines_RecognisesEventEnds()
    {
        var reader = new SseReader();
        const string stop = "event: message_stop\r\ndata: {}\r\n\r\n";

        reader.Feed(Encoding.UTF8.GetBytes(stop));

        reader.WholeEventBytes.ShouldBe(stop.Length);
        reader.Finished.ShouldBeTrue();
    }

    [Fact]
    public void Finished_EndsWithMessageStopOrError_TrueOnlyThen()
    {
        var reader = new SseReader();
        reader.Feed(Encoding.UTF8.GetBytes(Start + Delta));
        reader.Finished.ShouldBeFalse();

        reader.Feed(Encoding.UTF8.GetBytes("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"));

        reader.Finished.ShouldBeTrue();
        reader.ErrorType.ShouldBe("overloaded_error");
    }

    [Fact]
    public void Finished_CommentAfterStop_StillFinished()
    {
        var reader = new SseReader();

        reader.Feed(Encoding.UTF8.GetBytes(Stop + ": keep-alive\n\n"));

        reader.Finished.ShouldBeTrue();
        reader.WholeEventBytes.ShouldBe(Stop.Length + ": keep-alive\n\n".Length);
    }

    [Fact]
    public void Finished_EventAfterStop_NotFinished()
    {
        var reader = new SseReader();

        reader.Feed(Encoding.UTF8.GetBytes(Stop + Sse.Ping));

        reader.Finished.ShouldBeFalse();
    }

    [Fact]
    public void Feed_HugeTextEvent_NeitherHeldNorCopied()
    {
        var reader = new SseReader();
        var text = "event: content_block_delta\ndata: " + new string('x', 3 * 1024 * 1024) + "\n\n";

        reader.Feed(Encoding.UTF8.GetBytes(Start + text + Stop));

        reader.WholeEventBytes.ShouldBe(Start.Length + text.Length + Stop.Length);
        reader.Usage.ToUsage().ShouldBe(new TokenUsage(12, 1, 0, 4));
        reader.Finished.ShouldBeTrue();
    }

    [Fact]
    public void Feed_AWholeStreamInSmallReads_AllocatesNothingPerEvent()
    {
        var reader = new SseReader();
        var events = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Sse.Text("hello there"), 50)));
        reader.Feed(events); // warm-up: the line buffer has grown to its size

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < events.Length; i += 7)
        {
            reader.Feed(events.AsSpan(i, Math.Min(7, events.Length - i)));
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
        reader.WholeEventBytes.ShouldBe(2L * events.Length);
    }
}
