using Pacer.Limiting;

namespace Pacer.Tests.Limiting.Stores;

public sealed class RequestPacerTests
{
    [Fact]
    public void Admit_SeedRanges_NeverGrowsTheRing()
    {
        var pacer = new RequestPacer();

        var now = AdmitWhenAllowed(pacer, perMinute: 1000, count: 3000, now: 0);

        pacer.Capacity.ShouldBe(RequestPacer.InitialCapacity);
        pacer.InWindow(now).ShouldBe(1000);
    }

    [Fact]
    public void Admit_LargerPolicyAfterTheRingWrapped_GrowsOnceKeepingTheWindowInOrder()
    {
        var pacer = new RequestPacer();
        var admitted = new List<long>();
        var now = AdmitWhenAllowed(pacer, perMinute: 1000, count: 1500, now: 0, admitted);

        now = AdmitWhenAllowed(pacer, perMinute: 3000, count: 3000, now: now, admitted);

        pacer.Capacity.ShouldBe(3000);

        // Against the admission times kept here: the same count in the window and the same oldest, at every moment after.
        for (var at = now; at < now + TimeSpan.TicksPerMinute; at += TimeSpan.TicksPerSecond)
        {
            var inWindow = admitted.Where(a => a + TimeSpan.TicksPerMinute > at).ToList();
            pacer.InWindow(at).ShouldBe(inWindow.Count);
            pacer.TicksUntilOldestLeaves(at).ShouldBe(inWindow.Count == 0 ? 0 : inWindow[0] + TimeSpan.TicksPerMinute - at);
        }
    }

    [Fact]
    public void Admit_ExtendedTop_GrowsToItAndKeepsEveryWindowAtN()
    {
        var pacer = new RequestPacer();

        var now = AdmitWhenAllowed(pacer, perMinute: 100_000, count: 150_000, now: 0);

        pacer.Capacity.ShouldBe(RequestPacer.MaxCapacity);
        pacer.InWindow(now).ShouldBe(100_000);
    }

    private static long AdmitWhenAllowed(RequestPacer pacer, int perMinute, int count, long now, List<long>? admitted = null)
    {
        for (var i = 0; i < count; i++)
        {
            now += pacer.TicksUntilAdmissible(perMinute, 1, now);
            pacer.InWindow(now).ShouldBeLessThan(perMinute);
            pacer.Admit(perMinute, now);
            admitted?.Add(now);
        }

        return now;
    }
}
