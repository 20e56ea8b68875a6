using System.Text;
using Pacer.Gateway.Proxy;
using Pacer.Limiting;

namespace Pacer.Gateway.Tests.Proxy;

public sealed class SseEventFramerTests
{
    private const string Start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12,\"output_tokens\":1,\"cache_read_input_tokens\":4}}}\n\n";
    private const string Delta = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":30}}\n\n";
    private const string Stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private static string Take(SseEventFramer framer, string text)
    {
        framer.Append(Encoding.UTF8.GetBytes(text));
        return Encoding.UTF8.GetString(framer.TakeWholeEvents().Span);
    }

    [Fact]
    public void TakeWholeEvents_EventSplitAcrossReads_HeldUntilWhole()
    {
        var framer = new SseEventFramer();

        Take(framer, Start[..20]).ShouldBeEmpty();
        framer.Held.ShouldBe(20);
        Take(framer, Start[20..] + Stop[..5]).ShouldBe(Start);
        framer.Held.ShouldBe(5);
        Take(framer, Stop[5..]).ShouldBe(Stop);
        framer.Held.ShouldBe(0);
    }

    [Fact]
    public void TakeWholeEvents_SeveralEventsInOneRead_ReturnsThemTogether()
    {
        var framer = new SseEventFramer();

        Take(framer, Start + Delta + "event: ping").ShouldBe(Start + Delta);
        framer.LastEvent.ShouldBe("message_delta");
    }

    [Fact]
    public void TakeWholeEvents_CrLfLines_RecognisesEventEnds()
    {
        var framer = new SseEventFramer();

        Take(framer, "event: message_stop\r\ndata: {}\r\n\r\n").ShouldBe("event: message_stop\r\ndata: {}\r\n\r\n");
        framer.Finished.ShouldBeTrue();
    }

    [Fact]
    public void Finished_EndsWithMessageStopOrError_TrueOnlyThen()
    {
        var framer = new SseEventFramer();
        Take(framer, Start + Delta);
        framer.Finished.ShouldBeFalse();

        Take(framer, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
        framer.Finished.ShouldBeTrue();
    }

    [Fact]
    public void Finished_CommentAfterStop_StillFinished()
    {
        var framer = new SseEventFramer();

        Take(framer, Stop + ": keep-alive\n\n");

        framer.Finished.ShouldBeTrue();
    }

    [Fact]
    public void Usage_StartThenDelta_InputFromStartOutputFromDelta()
    {
        var framer = new SseEventFramer();

        Take(framer, Start + Delta + Stop);

        framer.Usage.ToUsage().ShouldBe(new TokenUsage(12, 30, 0, 4));
    }

    [Fact]
    public void TakeWholeEvents_HugeEventWithoutEnd_ForwardedRatherThanHeldForever()
    {
        var framer = new SseEventFramer();

        var taken = Take(framer, "data: " + new string('x', SseEventFramer.MaxHeldBytes + 10));

        taken.Length.ShouldBe(SseEventFramer.MaxHeldBytes + 16);
        framer.Held.ShouldBe(0);
    }
}
