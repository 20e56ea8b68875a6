using Anthropic.Models.Messages;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Configuration;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Anthropic.Tests;

/// <summary>The tracked client end to end: SDK, engine, recorder, SQLite ledger, budgets; the upstream is scripted in process.</summary>
public sealed class TrackedAnthropicClientTests : IAsyncLifetime
{
    private const string Model = "claude-3-5-sonnet-20241022";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeLogger<CostCalculator> _costLog = new();
    private readonly Limiter _limiter = new(new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50 });
    private TempLedger _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteUsageLedger Ledger => _store.Ledger;

    public async ValueTask InitializeAsync() => _store = await TempLedger.OpenAsync();

    public async ValueTask DisposeAsync()
    {
        _limiter.Dispose();
        await _store.DisposeAsync();
    }

    private TrackedAnthropicClient Client(ScriptedUpstream upstream, BudgetGuard? budgets = null) => new(
        _limiter,
        new UsageRecorder(Ledger, new CostCalculator(logger: _costLog), budgets),
        new TrackedAnthropicClientOptions { ApiKey = "sk-ant-test", BaseUrl = "http://upstream.test", InnerHandler = upstream, Budgets = budgets });

    private static MessageCreateParams Hello(int maxTokens = 1000) => new()
    {
        Model = Model,
        MaxTokens = maxTokens,
        Messages = [new UserMessageParam { Content = "Hello" }],
    };

    [Fact]
    public async Task MessagesAsync_SeedCall_ReturnsMessageWithItsPricedRecordAndLogsTheSeedLines()
    {
        var upstream = new ScriptedUpstream(() => ScriptedUpstream.Json(ScriptedUpstream.Message(Model, 1500, 800)));
        using var client = Client(upstream);

        var tracked = await client.MessagesAsync(Hello(), "alice", "/api/generate-scene", Ct).WaitAsync(Wait, Ct);

        tracked.Message.ID.ShouldBe("msg_01");
        var usage = tracked.Usage;
        (usage.User, usage.Endpoint, usage.Model, usage.RequestId, usage.Attempts, usage.StatusCode)
            .ShouldBe(("alice", "/api/generate-scene", Model, "req_011CTracked", 1, 200));
        (usage.InputTokens, usage.OutputTokens, usage.CostUsd, usage.Credits).ShouldBe((1500, 800, (decimal?)0.0165m, (long?)2));
        _costLog.Collector.GetSnapshot().Select(r => r.Message).ShouldBe(
        [
            "💰 Cost calculated for claude-3-5-sonnet-20241022:",
            "   Input tokens: 1500 @ $3.00/1M = $0.0045",
            "   Output tokens: 800 @ $15.00/1M = $0.0120",
            "   Total cost: $0.0165 (2 credits)",
        ]);
        await Ledger.FlushAsync(Ct);
        (await Ledger.ReadAsync(new UsageQuery(), cancellationToken: Ct)).ShouldBe([usage]);
        var sent = upstream.Received.Single();
        sent.Request.Headers.Authorization!.Parameter.ShouldBe("sk-ant-test");
        sent.Request.Headers.GetValues("x-stainless-retry-count").ShouldBe(["0"]);
        sent.Request.RequestUri!.AbsolutePath.ShouldBe("/v1/messages");
    }

    [Fact]
    public async Task MessagesStream_SeedCall_YieldsEventsThenItsRecord()
    {
        var upstream = new ScriptedUpstream(() => ScriptedUpstream.Sse(ScriptedUpstream.Stream(Model, 1500, 800)));
        using var client = Client(upstream);
        var stream = client.MessagesStream(Hello(), "alice", "/api/generate-scene");

        var events = 0;
        await foreach (var _ in stream.WithCancellation(Ct))
        {
            events++;
        }

        events.ShouldBe(6); // the ping is not an SDK event
        stream.Usage.ShouldNotBeNull();
        (stream.Usage.User, stream.Usage.Endpoint, stream.Usage.Streamed, stream.Usage.RequestId).ShouldBe(("alice", "/api/generate-scene", true, "req_011CStream"));
        (stream.Usage.InputTokens, stream.Usage.OutputTokens, stream.Usage.Credits).ShouldBe((1500, 800, (long?)2));
    }

    [Fact]
    public async Task MessagesAsync_ConcurrentCallers_EachGetsItsOwnRecord()
    {
        var upstream = new ScriptedUpstream(() => ScriptedUpstream.Json(ScriptedUpstream.Message(Model, 10, 10)));
        using var client = Client(upstream);

        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.MessagesAsync(Hello(), $"user-{i}", $"/api/{i}", Ct))).WaitAsync(Wait, Ct);

        calls.Select(c => (c.Usage.User, c.Usage.Endpoint)).ShouldBe(Enumerable.Range(0, 20).Select(i => ($"user-{i}", $"/api/{i}")));
    }

    [Fact]
    public async Task MessagesAsync_UpstreamOverloadedOnce_PacerRetriesAndTheRecordCountsBothAttempts()
    {
        var upstream = new ScriptedUpstream(
            () => new HttpResponseMessage((System.Net.HttpStatusCode)529)
            {
                Content = new StringContent("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", System.Text.Encoding.UTF8, "application/json"),
                Headers = { { "retry-after", "0" } },
            },
            () => ScriptedUpstream.Json(ScriptedUpstream.Message(Model, 1500, 800)));
        using var client = Client(upstream);

        var tracked = await client.MessagesAsync(Hello(), "alice", "/api/generate-scene", Ct).WaitAsync(Wait, Ct);

        (tracked.Usage.Attempts, tracked.Usage.StatusCode, tracked.Usage.Credits).ShouldBe((2, 200, (long?)2));
        upstream.Received.Select(r => r.Request.Headers.GetValues("x-stainless-retry-count").Single()).ShouldBe(["0", "0"]);
    }

    [Fact]
    public async Task MessagesAsync_WouldPassBudget_RefusedBeforeSending()
    {
        var upstream = new ScriptedUpstream(() => ScriptedUpstream.Json(ScriptedUpstream.Message(Model, 1500, 800)));
        var budgets = new BudgetGuard(Ledger, Ledger);
        await budgets.SetBudgetAsync(new UserBudget("bob", 2, BudgetPeriod.Day), Ct);
        using var client = Client(upstream, budgets);

        // A 300-token call may cost at most 1 credit and fits; the scripted answer costs 2, which spends the whole
        // budget, so the next call is refused before it is sent.
        var first = await client.MessagesAsync(Hello(maxTokens: 300), "bob", "/api/generate-scene", Ct).WaitAsync(Wait, Ct);
        var refused = await Should.ThrowAsync<BudgetExceededException>(() => client.MessagesAsync(Hello(maxTokens: 4096), "bob", "/api/generate-scene", Ct));

        first.Usage.Credits.ShouldBe(2);

        // The body the budget was estimated from is the one the engine sent, byte for byte (read once, not again).
        var sent = upstream.Received.ShouldHaveSingleItem();
        sent.Body.ShouldContain("\"max_tokens\":300");
        first.Usage.InputTokens.ShouldBe(1500);
        _limiter.Estimator.CharsPerToken(Model).ShouldNotBe(InputTokenEstimator.DefaultCharsPerToken);
        refused.Message.ShouldStartWith("User 'bob' has spent 2 credits of its 2-credit daily budget");
        upstream.Calls.ShouldBe(1);
        (await budgets.GetStatusAsync("bob", Ct))!.Reserved.ShouldBe(0);
    }
}
