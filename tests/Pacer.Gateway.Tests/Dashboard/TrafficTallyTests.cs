using Pacer.Gateway.Dashboard;

namespace Pacer.Gateway.Tests.Dashboard;

public sealed class TrafficTallyTests
{
    [Fact]
    public void Ended_EachOutcome_CountedWhereTheDashboardAndAlertsReadIt()
    {
        var tally = new TrafficTally();

        tally.Ended(200, attempts: 2, queueMilliseconds: 40, "ok", TimeSpan.FromMilliseconds(900));
        tally.Ended(429, attempts: 4, queueMilliseconds: 10, "ok", TimeSpan.FromSeconds(9));
        tally.Ended(502, attempts: 4, queueMilliseconds: 0, "upstream_unreachable", TimeSpan.FromSeconds(7));
        tally.Ended(504, attempts: 1, queueMilliseconds: 0, "upstream_timeout", TimeSpan.FromSeconds(600));
        tally.Ended(401, attempts: 0, queueMilliseconds: 0, "authentication_error", TimeSpan.Zero);

        tally.Answered.ShouldBe(2);
        tally.PassedOnRateLimited.ShouldBe(1);
        tally.Unreachable.ShouldBe(2);
        tally.TakeLongestQueueWait().ShouldBe(TimeSpan.FromMilliseconds(40));
        tally.TakeLongestQueueWait().ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void Ended_RejectedByTheLimiter_ItsWholeTimeCountsAsQueueWaitAndNotAsA429PassedOn()
    {
        var tally = new TrafficTally();

        tally.Ended(429, attempts: 0, queueMilliseconds: 0, "rejected_waittoolong", TimeSpan.FromSeconds(120));

        tally.TakeLongestQueueWait().ShouldBe(TimeSpan.FromSeconds(120));
        tally.PassedOnRateLimited.ShouldBe(0);
        tally.Answered.ShouldBe(0);
    }
}
