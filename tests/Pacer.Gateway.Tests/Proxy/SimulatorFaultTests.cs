using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pacer.Gateway.Tests.Support;
using Pacer.Http;
using Pacer.Limiting;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Gateway.Tests.Proxy;

/// <summary>The simulator's faults through the gateway: retried ones succeed, final ones come back unchanged, broken streams end in an error event, nothing hangs.</summary>
public sealed class SimulatorFaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("529,500,ok", 3)]
    [InlineData("429:0,503,ok", 3)]
    [InlineData("reset,ok", 2)]
    [InlineData("504,529,500,ok", 4)]
    public async Task Messages_RetryableFaultsWithinBudget_SucceedAfterThatManyAttempts(string script, int attempts)
    {
        await using var setup = await SimulatedGateway.StartAsync();
        setup.Simulator.QueueFaults(script);

        using var response = await setup.Client.SendAsync(Message()).WaitAsync(Bound);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(response, PacerHeaders.Attempts).ShouldBe(attempts.ToString());
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"type\":\"message\"");
        setup.Simulator.Attempts().Count.ShouldBe(attempts);
    }

    [Fact]
    public async Task Stream_RetryableFaultBeforeFirstByte_RetriedAndStreamCompletes()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        setup.Simulator.QueueFaults("529,ok");

        using var response = await setup.Client.SendAsync(Message(stream: true)).WaitAsync(Bound);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Bound);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(response, PacerHeaders.Attempts).ShouldBe("2");
        EventNames(text)[0].ShouldBe("message_start");
        EventNames(text)[^1].ShouldBe("message_stop");
    }

    [Fact]
    public async Task Messages_FaultsBeyondBudget_LastUpstreamAnswerComesBackUnchanged()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_MAX_RETRIES"] = "2" });
        setup.Simulator.QueueFaults("529*3");

        using var response = await setup.Client.SendAsync(Message()).WaitAsync(Bound);

        ((int)response.StatusCode).ShouldBe(529);
        Header(response, PacerHeaders.Attempts).ShouldBe("3");
        var (type, message) = await ErrorOf(response);
        type.ShouldBe("overloaded_error");
        message.ShouldBe("Overloaded");
        Header(response, "request-id").ShouldBe(setup.Simulator.Attempts()[^1].RequestId);
    }

    [Fact]
    public async Task Messages_SpendLimit429_NotRetriedAndComesBackUnchanged()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        setup.Simulator.QueueFaults("spend-limit");

        using var response = await setup.Client.SendAsync(Message()).WaitAsync(Bound);

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        Header(response, PacerHeaders.Attempts).ShouldBe("1");
        (await response.Content.ReadAsStringAsync()).ShouldContain("enforced_spend_limit_reached");
        setup.Simulator.Attempts().Count.ShouldBe(1);
    }

    [Fact]
    public async Task Messages_UnknownModel_FinalErrorComesBackUnchanged()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        using var request = Message();
        request.Content = new StringContent("""{"model":"claude-nope","max_tokens":5,"messages":[{"role":"user","content":"x"}]}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await setup.Client.SendAsync(request).WaitAsync(Bound);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Header(response, PacerHeaders.Attempts).ShouldBe("1");
        (await ErrorOf(response)).Type.ShouldBe("not_found_error");
    }

    [Fact]
    public async Task Stream_CutByUpstream_EndsWithApiErrorEvent()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        setup.Simulator.QueueFaults("cut:3");

        using var response = await setup.Client.SendAsync(Message(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Bound);

        var names = EventNames(text);
        names.Count.ShouldBe(4);
        names[^1].ShouldBe("error");
        names.ShouldNotContain("message_stop");
        text.ShouldContain("\"type\":\"api_error\"");
    }

    [Fact]
    public async Task Stream_StalledByUpstream_EndsWithTimeoutErrorEventAfterIdleLimit()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?> { ["PACER_STREAM_IDLE_TIMEOUT"] = "300" });
        setup.Simulator.QueueFaults("stall:2");

        using var response = await setup.Client.SendAsync(Message(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Bound);

        EventNames(text).ShouldBe(["message_start", "content_block_start", "error"]);
        text.ShouldContain("\"type\":\"timeout_error\"");
        setup.Gateway.Service<Limiter>().Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public async Task Stream_UpstreamErrorEvent_PassedThroughAsTheOnlyErrorEvent()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        setup.Simulator.QueueFaults("error-event:3");

        using var response = await setup.Client.SendAsync(Message(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Bound);

        EventNames(text).Count(n => n == "error").ShouldBe(1);
        EventNames(text)[^1].ShouldBe("error");
        text.ShouldContain("\"type\":\"overloaded_error\"");
    }

    [Fact]
    public async Task Messages_UpstreamNeverAnswers_AttemptTimeoutThen504NotAHang()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_ATTEMPT_TIMEOUT"] = "1000",
            ["ANTHROPIC_MAX_RETRIES"] = "1",
        });
        setup.Simulator.QueueFaults("no-response*2");

        using var response = await setup.Client.SendAsync(Message()).WaitAsync(Bound);

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        (await ErrorOf(response)).Type.ShouldBe("timeout_error");
        setup.Simulator.Attempts().Count.ShouldBe(2);
    }

    [Fact]
    public async Task Stream_ClientDisconnects_UpstreamCallEndsAndSlotIsFreedAtOnce()
    {
        var watcher = new OutcomeWatcher();
        await using var setup = await SimulatedGateway.StartAsync(
            new Dictionary<string, string?> { ["PACER_STREAM_IDLE_TIMEOUT"] = "600000" },
            services: s => s.AddSingleton<IRequestObserver>(watcher));
        setup.Simulator.QueueFaults("stall:2");
        using var response = await setup.Client.SendAsync(Message(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync().WaitAsync(Bound)).ShouldBe("event: message_start");
        setup.Gateway.Service<Limiter>().Snapshot().CurrentRequests.ShouldBe(1);

        // Cancelling a pending read aborts the connection, as a client that goes away does.
        using var disconnect = new CancellationTokenSource();
        var pending = reader.ReadToEndAsync(disconnect.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await disconnect.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(pending.WaitAsync(Bound));
        await watcher.WaitForAsync(1);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        watcher.Outcomes.ShouldHaveSingleItem().Streamed.ShouldBeTrue();
        setup.Gateway.Service<Limiter>().Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public async Task Messages_ClientLeavesWhileQueued_LeavesTheQueueAndNeverReachesUpstream()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_CONCURRENT_REQUESTS"] = "1",
            ["PACER_STREAM_IDLE_TIMEOUT"] = "600000",
        });
        setup.Simulator.QueueFaults("stall:2");
        using var holder = await setup.Client.SendAsync(Message(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        using var leave = new CancellationTokenSource();
        var queued = setup.Client.SendAsync(Message(), leave.Token);
        var limiter = setup.Gateway.Service<Limiter>();
        await Eventually.TrueAsync(() => limiter.Snapshot().QueuedRequests == 1);

        await leave.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(queued.WaitAsync(Bound));

        await Eventually.TrueAsync(() => limiter.Snapshot().QueuedRequests == 0);
        setup.Simulator.Attempts().Count.ShouldBe(1);
    }

    [Fact]
    public async Task Messages_CannotBeAdmittedInTime_429RateLimitErrorWithRetryAfter()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_CONCURRENT_REQUESTS"] = "1",
            ["PACER_MAX_QUEUE_WAIT"] = "0",
            ["PACER_STREAM_IDLE_TIMEOUT"] = "600000",
        });
        setup.Simulator.QueueFaults("stall:2");
        using var holder = await setup.Client.SendAsync(Message(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);

        using var response = await setup.Client.SendAsync(Message()).WaitAsync(Bound);

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await ErrorOf(response)).Type.ShouldBe("rate_limit_error");
        response.Headers.RetryAfter.ShouldNotBeNull();
        Header(response, PacerHeaders.Attempts).ShouldBe("0");
        Header(response, "request-id").ShouldStartWith("req_");
        setup.Simulator.Attempts().Count.ShouldBe(1);
    }
}
