using Microsoft.AspNetCore.Http;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Interop;

/// <summary>
/// A recording upstream that answers the first request with a small message and never answers the later ones (until
/// disposed): the warm-up call of an SDK, then the call that must meet its deadline.
/// </summary>
internal sealed class FirstAnswerThenHang : IAsyncDisposable
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    private FirstAnswerThenHang(TestUpstream upstream)
    {
        Upstream = upstream;
        upstream.Handler = Answer;
    }

    public TestUpstream Upstream { get; }

    public static async Task<FirstAnswerThenHang> StartAsync() => new(await TestUpstream.StartAsync());

    public async ValueTask DisposeAsync()
    {
        _released.TrySetResult();
        await Upstream.DisposeAsync();
    }

    private Task Answer(HttpContext context)
    {
        if (Interlocked.Increment(ref _calls) > 1)
        {
            return _released.Task.WaitAsync(context.RequestAborted);
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(
            """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}""");
    }
}
