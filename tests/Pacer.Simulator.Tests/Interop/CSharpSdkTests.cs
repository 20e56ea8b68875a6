using System.Diagnostics;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Anthropic.Models.Models;

namespace Pacer.Simulator.Tests.Interop;

/// <summary>The official C# SDK (Anthropic on NuGet) parses everything the simulator sends, faults included.</summary>
public sealed class CSharpSdkTests : IAsyncLifetime
{
    private const string Model = "claude-sonnet-4-5";
    private SimulatorHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestSimulator.StartAsync(o => o.Output.MeanTokens = 40);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private AnthropicClient Client(int maxRetries = 0, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? headers = null) => new(new ClientOptions
    {
        ApiKey = "sk-ant-sdk-test",
        BaseUrl = _host.BaseAddress.ToString().TrimEnd('/'),
        MaxRetries = maxRetries,
        Timeout = timeout ?? TimeSpan.FromSeconds(15),
        ResponseValidation = true,
        ExtraHeaders = headers ?? new Dictionary<string, string>(),
    });

    private static MessageCreateParams Params(string model = Model, string prompt = "Explain pacing in one line.", long maxTokens = 200) => new()
    {
        Model = model,
        MaxTokens = maxTokens,
        Messages = [new UserMessageParam { Content = prompt }],
    };

    private static async Task<List<RawMessageStreamEvent>> CollectAsync(IAsyncEnumerable<RawMessageStreamEvent> stream, List<RawMessageStreamEvent>? into = null)
    {
        var events = into ?? [];
        await foreach (var e in stream)
        {
            events.Add(e);
        }

        return events;
    }

    private static string TextOf(IEnumerable<RawMessageStreamEvent> events) => string.Concat(events
        .Select(e => e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var text) ? text.Text : ""));

    [Fact]
    public async Task Create_NonStreaming_ParsesTheMessage()
    {
        using var client = Client();

        var message = await client.Messages.Create(Params(), TestContext.Current.CancellationToken).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);

        message.ID.ShouldStartWith("msg_");
        ((string)message.Model).ShouldBe("claude-sonnet-4-5-20250929");
        message.Content.ShouldHaveSingleItem().TryPickText(out var text).ShouldBeTrue();
        message.Usage.OutputTokens.ShouldBe(Simulator.Messages.TokenCounter.Count(text!.Text));
        message.Usage.InputTokens.ShouldBeGreaterThan(0);
        ((string)message.StopReason!).ShouldBeOneOf("end_turn", "max_tokens");
    }

    [Fact]
    public async Task CreateStreaming_ParsesEveryEventAndMatchesTheNonStreamingReply()
    {
        using var client = Client();

        var message = await client.Messages.Create(Params(prompt: "Stream this"), TestContext.Current.CancellationToken);
        var events = await CollectAsync(client.Messages.CreateStreaming(Params(prompt: "Stream this"), TestContext.Current.CancellationToken)).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);

        events[0].TryPickStart(out var start).ShouldBeTrue();
        start!.Message.Usage.InputTokens.ShouldBe(message.Usage.InputTokens);
        events[1].TryPickContentBlockStart(out _).ShouldBeTrue();
        events[^3].TryPickContentBlockStop(out _).ShouldBeTrue();
        events[^2].TryPickDelta(out var delta).ShouldBeTrue();
        delta!.Usage.OutputTokens.ShouldBe(message.Usage.OutputTokens);
        events[^1].TryPickStop(out _).ShouldBeTrue();
        message.Content[0].TryPickText(out var text);
        TextOf(events).ShouldBe(text!.Text);
    }

    [Fact]
    public async Task CountTokens_AgreesWithUsage()
    {
        using var client = Client();

        var count = await client.Messages.CountTokens(new MessageCountTokensParams { Model = Model, Messages = [new UserMessageParam { Content = "Count me, please." }] }, TestContext.Current.CancellationToken);
        var message = await client.Messages.Create(Params(prompt: "Count me, please."), TestContext.Current.CancellationToken);

        count.InputTokens.ShouldBe(message.Usage.InputTokens);
    }

    [Fact]
    public async Task ModelsList_ParsesThePage()
    {
        using var client = Client();

        var page = await client.Models.List(new ModelListParams { Limit = 3 }, TestContext.Current.CancellationToken);

        page.Items.Count.ShouldBe(3);
        page.Items[0].ID.ShouldBe("claude-opus-4-5-20251101");
        page.HasNext().ShouldBeTrue();
    }

    [Theory]
    [InlineData("429:2", typeof(AnthropicRateLimitException), 429, "rate_limit_error")]
    [InlineData("429:none", typeof(AnthropicRateLimitException), 429, "rate_limit_error")]
    [InlineData("500", typeof(Anthropic5xxException), 500, "api_error")]
    [InlineData("503", typeof(AnthropicServiceUnavailableException), 503, "api_error")]
    [InlineData("504", typeof(AnthropicGatewayTimeoutException), 504, "timeout_error")]
    [InlineData("529", typeof(AnthropicOverloadedException), 529, "overloaded_error")]
    public async Task Create_StatusFault_ThrowsTheMatchingException(string fault, System.Type expected, int status, string type)
    {
        using var client = Client();

        var error = await Should.ThrowAsync<AnthropicApiException>(() => client.Messages.Create(Params($"{Model}+fault={fault}"), TestContext.Current.CancellationToken));

        error.ShouldBeAssignableTo(expected);
        ((int)error.StatusCode).ShouldBe(status);
        ((string)error.Type!).ShouldBe(type);
        error.RequestID.ShouldStartWith("req_");
    }

    [Fact]
    public async Task Create_SpendLimitFault_ThrowsWithTheErrorCode()
    {
        using var client = Client();

        var error = await Should.ThrowAsync<AnthropicApiException>(() => client.Messages.Create(Params($"{Model}+fault=spend-limit"), TestContext.Current.CancellationToken));

        ((int)error.StatusCode).ShouldBe(429);
        error.ErrorCode.ShouldBe("enforced_spend_limit_reached");
    }

    [Fact]
    public async Task Create_ResetFault_ThrowsAConnectionError()
    {
        using var client = Client();

        var error = await Should.ThrowAsync<Exception>(() => client.Messages.Create(Params($"{Model}+fault=reset"), TestContext.Current.CancellationToken));

        error.ShouldNotBeAssignableTo<AnthropicApiException>();
        _host.Attempts()[^1].Outcome.ShouldBe("reset");
    }

    [Fact]
    public async Task Create_NoResponseFault_TimesOutOnTheClientsTimeout()
    {
        using var client = Client(timeout: TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        await Should.ThrowAsync<Exception>(() => client.Messages.Create(Params($"{Model}+fault=no-response"), TestContext.Current.CancellationToken).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken));

        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Create_SlowFault_AnswersAfterTheDelay()
    {
        using var client = Client();
        var clock = Stopwatch.StartNew();

        var message = await client.Messages.Create(Params($"{Model}+fault=slow:400"), TestContext.Current.CancellationToken);

        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390));
        message.Content.Count.ShouldBe(1);
    }

    [Fact]
    public async Task CreateStreaming_CutFault_EndsWithoutMessageStop()
    {
        using var client = Client();
        var events = new List<RawMessageStreamEvent>();

        try
        {
            await CollectAsync(client.Messages.CreateStreaming(Params($"{Model}+fault=cut:5"), TestContext.Current.CancellationToken), events).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);
        }
        catch (AnthropicException)
        {
            // An SDK may also report the early end; what matters is that no message_stop arrived.
        }

        events.Count.ShouldBe(4); // message_start, content_block_start, two deltas (the ping is not surfaced)
        events.Count(e => e.TryPickStop(out _)).ShouldBe(0);
        _host.Attempts()[^1].Outcome.ShouldBe("cut");
    }

    [Fact]
    public async Task CreateStreaming_StallFault_StopsSendingUntilTheClientGivesUp()
    {
        using var client = Client();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var events = new List<RawMessageStreamEvent>();

        await Should.ThrowAsync<OperationCanceledException>(() => CollectAsync(client.Messages.CreateStreaming(Params($"{Model}+fault=stall:4"), giveUp.Token), events).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken));

        events.Count.ShouldBe(3); // message_start, content_block_start, one delta
    }

    [Fact]
    public async Task CreateStreaming_MalformedFault_ThrowsOnTheBadEvent()
    {
        using var client = Client();
        var events = new List<RawMessageStreamEvent>();

        await Should.ThrowAsync<Exception>(() => CollectAsync(client.Messages.CreateStreaming(Params($"{Model}+fault=malformed:3"), TestContext.Current.CancellationToken), events).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken));

        events.Count.ShouldBe(2);
    }

    [Fact]
    public async Task CreateStreaming_ErrorEventFault_ThrowsOverloadedSseError()
    {
        using var client = Client();
        var events = new List<RawMessageStreamEvent>();

        var error = await Should.ThrowAsync<AnthropicSseException>(() => CollectAsync(client.Messages.CreateStreaming(Params($"{Model}+fault=error-event:4"), TestContext.Current.CancellationToken), events).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken));

        ((string)error.Type!).ShouldBe("overloaded_error");
        events.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Create_FaultHeaderWithSdkRetries_RetriesThroughTheScript()
    {
        using var client = Client(maxRetries: 2, headers: new Dictionary<string, string> { ["x-simulator-fault"] = "529,ok" });
        var before = _host.Attempts().Count > 0 ? _host.Attempts()[^1].Sequence : 0;

        var message = await client.Messages.Create(Params(prompt: "retry me"), TestContext.Current.CancellationToken).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);

        message.ID.ShouldStartWith("msg_");
        var attempts = _host.Attempts(before);
        attempts.Select(a => a.Status).ShouldBe([529, 200]);
        attempts.Select(a => a.Headers.GetValueOrDefault("x-stainless-retry-count")).ShouldBe(["0", "1"]);
        attempts[0].FaultSource.ShouldBe("header");
    }
}
