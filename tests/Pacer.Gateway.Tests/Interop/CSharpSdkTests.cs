using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Pacer.Gateway.Tests.Support;
using Pacer.Limiting;

namespace Pacer.Gateway.Tests.Interop;

/// <summary>The official C# SDK (<c>Anthropic</c> on NuGet) pointed at the gateway in front of the simulator.</summary>
public sealed class CSharpSdkTests
{
    private const string Key = "sk-ant-api03-csharp-interop";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static TheoryData<string> AuthStyles => ["api-key", "auth-token"];

    [Theory]
    [MemberData(nameof(AuthStyles))]
    public async Task MessagesCreate_ThroughGateway_ReturnsTheSimulatorsMessage(string style)
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var client = Client(setup, style);

        var message = await client.Messages.Create(Parameters()).WaitAsync(Bound);

        message.Usage.InputTokens.ShouldBeGreaterThan(0);
        message.Usage.OutputTokens.ShouldBeGreaterThan(0);
        message.Content.ShouldNotBeEmpty();
        setup.Simulator.Attempts().ShouldHaveSingleItem().Path.ShouldBe("/v1/messages");
    }

    [Theory]
    [MemberData(nameof(AuthStyles))]
    public async Task MessagesCreateStreaming_ThroughGateway_YieldsEveryEventToTheEnd(string style)
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var client = Client(setup, style);

        var events = new List<RawMessageStreamEvent>();
        await foreach (var streamEvent in client.Messages.CreateStreaming(Parameters()).WithCancellation(new CancellationTokenSource(Bound).Token))
        {
            events.Add(streamEvent);
        }

        events.Count.ShouldBeGreaterThan(3);
        events[0].TryPickStart(out _).ShouldBeTrue();
        events[^1].TryPickStop(out _).ShouldBeTrue();
        events.Count(e => e.TryPickContentBlockDelta(out _)).ShouldBeGreaterThan(0);
    }

    [Theory]
    [MemberData(nameof(AuthStyles))]
    public async Task CountTokens_ThroughGateway_ReturnsInputTokens(string style)
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var client = Client(setup, style);

        var count = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = GatewayRequests.Model,
            Messages = [new UserMessageParam("Hello, how many tokens is this?")],
        }).WaitAsync(Bound);

        count.InputTokens.ShouldBeGreaterThan(0);
        setup.Simulator.Attempts().ShouldHaveSingleItem().Path.ShouldBe("/v1/messages/count_tokens");
    }

    [Fact]
    public async Task MessagesCreate_RateLimitStormTheGatewayCanAbsorb_SdkNeverSeesA429()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_MAX_RETRIES"] = "10" });
        // Ten 429s (retry-after 0 s) fall on the twelve concurrent requests' attempts, as in a storm; however they fall,
        // no request meets more than MaxRetries of them, so the gateway absorbs them all.
        setup.Simulator.QueueFaults("429:0*10");
        var client = Client(setup, "api-key");

        var calls = Enumerable.Range(0, 12).Select(_ => client.Messages.Create(Parameters())).ToArray();
        var messages = await Task.WhenAll(calls).WaitAsync(Bound);

        messages.ShouldAllBe(m => m.Usage.OutputTokens > 0);
        var attempts = setup.Simulator.Attempts();
        attempts.Count.ShouldBe(22);
        setup.Gateway.Service<Limiter>().Snapshot().Totals.RateLimited.ShouldBe(10);
    }

    [Fact]
    public async Task MessagesCreate_GatewayAuthError_SdkRaisesAuthenticationException()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_AUTH_MODE"] = "managed",
            ["ANTHROPIC_API_KEY"] = "sk-ant-gateway-own-key",
        });
        var client = Client(setup, "api-key");

        var thrown = await Should.ThrowAsync<AnthropicServiceException>(client.Messages.Create(Parameters()).WaitAsync(Bound));

        thrown.GetType().Name.ShouldBe("AnthropicUnauthorizedException");
        setup.Simulator.Attempts().ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(AuthStyles))]
    public async Task MessagesCreate_EitherAuthStyle_ForwardedUpstreamAsTheSdkSentIt(string style)
    {
        await using var setup = await UpstreamGateway.StartAsync();
        var (upstream, gateway) = setup;
        upstream.Handler = context =>
        {
            context.Response.ContentType = "application/json";
            return Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response,
                """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}""");
        };
        var client = style == "api-key"
            ? new AnthropicClient { BaseUrl = gateway.BaseUrl.ToString().TrimEnd('/'), ApiKey = Key, MaxRetries = 0 }
            : new AnthropicClient { BaseUrl = gateway.BaseUrl.ToString().TrimEnd('/'), AuthToken = Key, MaxRetries = 0 };

        await client.Messages.Create(Parameters()).WaitAsync(Bound);

        // SDK 13.14 sends the key as a Bearer token whichever option holds it; the gateway forwards it untouched.
        var headers = upstream.Requests.ShouldHaveSingleItem().Headers;
        headers["authorization"].ShouldBe("Bearer " + Key);
        headers["x-stainless-lang"].ShouldNotBeNullOrEmpty();
    }

    // The gateway owns the retries: the SDK's are off, so any 429 or 5xx would surface at once.
    private static AnthropicClient Client(SimulatedGateway setup, string style) => style == "api-key"
        ? new AnthropicClient { BaseUrl = setup.Gateway.BaseUrl.ToString().TrimEnd('/'), ApiKey = Key, MaxRetries = 0 }
        : new AnthropicClient { BaseUrl = setup.Gateway.BaseUrl.ToString().TrimEnd('/'), AuthToken = Key, MaxRetries = 0 };

    private static MessageCreateParams Parameters() => new()
    {
        MaxTokens = 64,
        Messages = [new UserMessageParam("Hello, Claude")],
        Model = GatewayRequests.Model,
    };
}
