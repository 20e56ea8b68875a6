using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class LimiterAllocationTests
{
    [Fact]
    public void AcquireAsync_UncontendedAcquireAndDispose_AllocatesNothing()
    {
        using var limiter = new Limiter(new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50, InputTokensPerMinute = 1_000_000 });
        var request = new AcquireRequest("key", "claude-sonnet-4-5", "user", new RequestCost(10, 10));
        AcquireAndRelease(limiter, request, 10);

        var before = GC.GetAllocatedBytesForCurrentThread();
        AcquireAndRelease(limiter, request, 50);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0);
    }

    private static void AcquireAndRelease(Limiter limiter, AcquireRequest request, int times)
    {
        for (var i = 0; i < times; i++)
        {
            var pending = limiter.AcquireAsync(request, TestContext.Current.CancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("Expected an uncontended admission.");
            }

            using var permit = pending.Result;
            permit.Complete(new TokenUsage(5, 5));
        }
    }
}
