using Pacer.Goodput.ScaleOut;

namespace Pacer.Goodput.Tests.ScaleOut;

public sealed class LeaseWatchTests
{
    private const long Second = 1_000_000;

    [Fact]
    public void Analyse_KilledOwner_ReportsItsLeasesAndWhenTheyWereFree()
    {
        // "dead" holds two leases expiring 4 s and 9 s after the kill; "alive" renews its heartbeat and leases.
        LeaseSample At(long seconds, long aliveBeat, params (string, long)[] leases) =>
            new(100 * Second + (seconds * Second), leases, new Dictionary<string, long> { ["dead"] = 109 * Second, ["alive"] = aliveBeat });
        var samples = new[]
        {
            At(0, 108 * Second, ("dead", 104 * Second), ("dead", 109 * Second), ("alive", 108 * Second), ("dead", 99 * Second)),
            At(5, 113 * Second, ("dead", 109 * Second), ("alive", 113 * Second)),
            At(10, 118 * Second, ("dead", 109 * Second), ("alive", 118 * Second)),
        };

        var result = LeaseWatch.Analyse(samples, "dead").ShouldNotBeNull();

        result.HeldAtKill.ShouldBe(2);
        result.LastExpirySeconds.ShouldBe(9);
        result.SeenFreeSeconds.ShouldBe(10);
    }

    [Fact]
    public void Analyse_OwnerStillRenewing_IsNotTheKilledOne()
    {
        var samples = new[]
        {
            new LeaseSample(0, [], new Dictionary<string, long> { ["a"] = 10, ["b"] = 10 }),
            new LeaseSample(5, [], new Dictionary<string, long> { ["a"] = 15, ["b"] = 15 }),
        };

        LeaseWatch.Analyse(samples, "a").ShouldBeNull();
    }
}
