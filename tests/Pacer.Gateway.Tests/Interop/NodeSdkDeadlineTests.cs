using System.Text.Json;
using Pacer.Gateway.Tests.Support;
using Pacer.Simulator.Tests.Interop;

namespace Pacer.Gateway.Tests.Interop;

/// <summary>
/// The official TypeScript SDK with a 3 s client timeout (tests/interop/deadline.mjs) through the gateway to an upstream
/// that stops answering: the SDK raises the gateway's 504 <c>timeout_error</c> and does not retry it.
/// </summary>
public sealed class NodeSdkDeadlineTests
{
    [Fact]
    public async Task MessagesCreate_UpstreamHangs_SdkRaisesTheGateways504InsteadOfItsOwnTimeout()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var hung = new TaskCompletionSource();
        var calls = 0;
        upstream.Handler = context =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return hung.Task.WaitAsync(context.RequestAborted);
            }

            context.Response.ContentType = "application/json";
            return Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response,
                """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}""");
        };
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_BASE_URL"] = upstream.BaseUrl.ToString() });

        var (seen, skip) = await NodeScript.RunAsync("deadline.mjs", gateway.BaseUrl.ToString().TrimEnd('/'));
        hung.SetResult();
        if (skip is not null)
        {
            Assert.Skip(skip);
        }

        var result = seen!.Value;
        result.TryGetProperty("unexpected", out var unexpected).ShouldBeFalse($"the script threw: {unexpected}");
        var error = result.GetProperty("error");
        error.ValueKind.ShouldBe(JsonValueKind.Object);
        error.GetProperty("errorClass").GetString().ShouldBe("GatewayTimeoutError");
        error.GetProperty("status").GetInt32().ShouldBe(504);
        error.GetProperty("type").GetString().ShouldBe("timeout_error");
        error.GetProperty("shouldRetry").GetString().ShouldBe("false");

        // The warm-up and one attempt of the hung call, each with the SDK's whole-second timeout; no SDK retry.
        upstream.Requests.Select(r => r.Headers["x-stainless-retry-count"] + " " + r.Headers["x-stainless-timeout"]).ShouldBe(["0 3", "0 3"]);
        TestGateway.DeleteFolder(gateway.Folder);
    }
}
