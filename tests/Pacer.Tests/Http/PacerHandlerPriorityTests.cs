using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;

namespace Pacer.Tests.Http;

/// <summary>The per-request priority option: <see cref="PacerRequestOptions.SetPacerPriority"/> puts the request in its class's queue.</summary>
public sealed class PacerHandlerPriorityTests
{
    [Fact]
    public async Task SendAsync_BatchThenInteractiveWaiting_InteractiveReachesTheUpstreamFirst()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(5, 5))), new PacerOptions { MaxConcurrentRequests = 1 });
        fixture.Limiter.TryAcquire(new AcquireRequest("other", "claude-sonnet-4-5", "holder", default), out var holder).ShouldBeTrue();
        using var batch = HandlerFixture.Messages(HandlerFixture.MessagesBody(userId: "batch-user")).SetPacerPriority(RequestPriority.Batch);
        using var interactive = HandlerFixture.Messages(HandlerFixture.MessagesBody(userId: "interactive-user"));
        var batchSent = fixture.SendAsync(batch);
        await WaitUntil(() => fixture.Limiter.QueuedOf(RequestPriority.Batch) == 1);
        var interactiveSent = fixture.SendAsync(interactive);
        await WaitUntil(() => fixture.Limiter.QueuedOf(RequestPriority.Interactive) == 1);

        holder!.Dispose();
        (await HandlerFixture.Settled(interactiveSent)).Dispose();
        (await HandlerFixture.Settled(batchSent)).Dispose();

        fixture.Upstream.Requests.Select(r => r.Body!.Contains("batch-user", StringComparison.Ordinal) ? "batch" : "interactive")
            .ShouldBe(["interactive", "batch"]);
    }

    [Fact]
    public void SetPacerPriority_SetsTheOption()
    {
        using var request = new HttpRequestMessage();

        request.SetPacerPriority(RequestPriority.Batch).ShouldBeSameAs(request);

        request.Options.TryGetValue(PacerRequestOptions.Priority, out var priority).ShouldBeTrue();
        priority.ShouldBe(RequestPriority.Batch);
    }

    /// <summary>Waits (bounded) for the handler's asynchronous steps before the queue to run.</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + (long)HandlerFixture.Bound.TotalMilliseconds;
        while (!condition())
        {
            Environment.TickCount64.ShouldBeLessThan(deadline, "the request never queued");
            await Task.Yield();
        }
    }
}
