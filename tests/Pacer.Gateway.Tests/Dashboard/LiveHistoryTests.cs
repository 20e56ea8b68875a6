using Pacer.Gateway.Dashboard;

namespace Pacer.Gateway.Tests.Dashboard;

public sealed class LiveHistoryTests
{
    [Fact]
    public void Since_MoreThan15MinutesAdded_KeepsTheLatest900InOrder()
    {
        var history = new LiveHistory();
        for (var t = 1; t <= LiveHistory.Capacity + 5; t++)
        {
            history.Add(Sample(t));
        }

        var all = history.Since(0);

        all.Length.ShouldBe(LiveHistory.Capacity);
        all[0].Time.ShouldBe(6);
        all[^1].Time.ShouldBe(LiveHistory.Capacity + 5);
        history.Since(LiveHistory.Capacity + 3).Select(s => s.Time).ShouldBe([LiveHistory.Capacity + 4, LiveHistory.Capacity + 5]);
    }

    [Fact]
    public void Since_Empty_ReturnsNothing() => new LiveHistory().Since(0).ShouldBeEmpty();

    private static LiveSample Sample(long time) => new(time, 1, 50, 0, 5, 0, time, 0, 0, 0, 0, 0);
}
