using Pacer.Gateway.Tests.Support;
using Pacer.Limiting;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Gateway.Tests.Operations;

public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Stop_QueuedAndInFlight_QueuedGetRetryable529AndOpenStreamEndsWithErrorEventBeforeTheTimeout()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_CONCURRENT_REQUESTS"] = "1",
            ["PACER_STREAM_IDLE_TIMEOUT"] = "600000",
            ["PACER_SHUTDOWN_TIMEOUT"] = "3000",
        });
        setup.Simulator.QueueFaults("stall:2");
        using var streaming = await setup.Client.SendAsync(Message(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        var reader = new StreamReader(await streaming.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync().WaitAsync(Bound)).ShouldBe("event: message_start");
        var queued = setup.Client.SendAsync(Message());
        await Eventually.TrueAsync(() => setup.Gateway.Service<Limiter>().Snapshot().QueuedRequests == 1);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stopping = setup.Gateway.StopAsync();
        using var refused = await queued.WaitAsync(Bound);
        var rest = await reader.ReadToEndAsync().WaitAsync(Bound);
        await stopping.WaitAsync(Bound);

        ((int)refused.StatusCode).ShouldBe(529);
        (await ErrorOf(refused)).Type.ShouldBe("overloaded_error");
        refused.Headers.RetryAfter.ShouldNotBeNull();
        EventNames(rest)[^1].ShouldBe("error");
        rest.ShouldContain("\"type\":\"overloaded_error\"");
        rest.ShouldContain("shutting down");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
    }
}
