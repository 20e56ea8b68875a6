using System.Text.Json;
using Pacer.Gateway.Tests.Support;
using Pacer.Simulator.Tests.Interop;

namespace Pacer.Gateway.Tests.Interop;

/// <summary>
/// The official TypeScript SDK with an 8 s client timeout (tests/interop/deadline.mjs) through the gateway to an upstream
/// that stops answering: the SDK raises the gateway's 504 <c>timeout_error</c> and does not retry it.
/// </summary>
public sealed class NodeSdkDeadlineTests
{
    [Fact]
    public async Task MessagesCreate_UpstreamHangs_SdkRaisesTheGateways504InsteadOfItsOwnTimeout()
    {
        await using var hanging = await FirstAnswerThenHang.StartAsync();
        var upstream = hanging.Upstream;
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_BASE_URL"] = upstream.BaseUrl.ToString() });

        var (seen, skip) = await NodeScript.RunAsync("deadline.mjs", gateway.BaseUrl.ToString().TrimEnd('/'));
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

        // An 8 s budget leaves the gateway a margin of 800 ms, which a loaded test machine (every test project at once on
        // two cores) does not eat; with 3 s (300 ms) the SDK's own timeout sometimes fired first and it retried.
        // The warm-up and one attempt of the hung call, each with the SDK's whole-second timeout; no SDK retry.
        upstream.Requests.Select(r => r.Headers["x-stainless-retry-count"] + " " + r.Headers["x-stainless-timeout"]).ShouldBe(["0 8", "0 8"]);
    }
}
