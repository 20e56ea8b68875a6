using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class LimiterTests
{
    [Fact]
    public void AcquireAsync_Uncontended_AdmitsAtOnceWithoutQueueTime()
    {
        using var fixture = new LimiterFixture();

        using var permit = fixture.AcquireNow(input: 10, output: 20);

        permit.QueueTime.ShouldBe(TimeSpan.Zero);
        permit.Reserved.ShouldBe(new RequestCost(10, 20));
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);
    }

    [Fact]
    public async Task AcquireAsync_BurstSpent_PacesAtTheEmissionInterval()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxRequestsPerMinute = 60, Burst = 3, MaxConcurrentRequests = 50 });
        for (var i = 0; i < 3; i++)
        {
            fixture.AcquireNow().Dispose();
        }

        var fourth = fixture.Acquire();
        fourth.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(999));
        fourth.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(1));

        using var permit = await LimiterFixture.Settled(fourth);
        permit.QueueTime.ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task AcquireAsync_ConcurrencyFull_WaitsForRelease()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxConcurrentRequests = 1, MaxRequestsPerMinute = 1000, Burst = 10 });
        var first = fixture.AcquireNow();

        var second = fixture.Acquire();
        second.IsCompleted.ShouldBeFalse();
        first.Dispose();

        using var admitted = await LimiterFixture.Settled(second);
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);
    }
}
