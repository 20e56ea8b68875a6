using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Interop;

/// <summary>
/// The official C# SDK with a client timeout, through the gateway to an upstream that never answers: the SDK announces
/// its timeout in <c>X-Stainless-Timeout</c>, the gateway gives up before it, and the SDK raises the gateway's 504 as its
/// AnthropicGatewayTimeoutException (not retried, since the answer says <c>x-should-retry: false</c>) instead of its own timeout.
/// </summary>
public sealed class CSharpSdkDeadlineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MessagesCreate_UpstreamHangs_SdkRaisesTheGateways504TimeoutError()
    {
        await using var hanging = await FirstAnswerThenHang.StartAsync();
        var upstream = hanging.Upstream;
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_BASE_URL"] = upstream.BaseUrl.ToString() });

        // The SDK's default two retries stay on: x-should-retry: false is what keeps it from asking again.
        var client = new AnthropicClient
        {
            BaseUrl = gateway.BaseUrl.ToString().TrimEnd('/'),
            ApiKey = "sk-ant-api03-csharp-deadline",
            Timeout = TimeSpan.FromSeconds(8),
        };

        var parameters = new MessageCreateParams
        {
            MaxTokens = 64,
            Messages = [new UserMessageParam("Hello, Claude")],
            Model = GatewayRequests.Model,
        };

        // The SDK's clock starts before its first request is built and connected, which on a cold process eats more than a
        // 8 s budget's 800 ms margin: one answered call first, as a running application would have made.
        await client.Messages.Create(parameters).WaitAsync(Bound);
        var thrown = await Should.ThrowAsync<AnthropicApiException>(client.Messages.Create(parameters).WaitAsync(Bound));

        thrown.GetType().Name.ShouldBe("AnthropicGatewayTimeoutException");
        ((int)thrown.StatusCode).ShouldBe(504);
        thrown.ResponseBody.ShouldContain("\"type\":\"timeout_error\"");
        // One attempt each, as the SDK sent it: no SDK retry of the 504, no gateway retry past the cutoff.
        upstream.Requests.Select(r => r.Headers["x-stainless-retry-count"] + " " + r.Headers["x-stainless-timeout"]).ShouldBe(["0 8", "0 8"]);
    }
}
