using Pacer.Goodput.Measuring;

namespace Pacer.Goodput.Tests.Measuring;

public sealed class UpstreamConcurrencyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 20, 0, 0, TimeSpan.Zero);

    private static (DateTimeOffset, DateTimeOffset?) Open(double from, double? to) =>
        (T0.AddSeconds(from), to is { } end ? T0.AddSeconds(end) : null);

    [Fact]
    public void Max_OverlappingRequests_CountsTheMostOpenAtOnce()
    {
        UpstreamConcurrency.Max([Open(0, 3), Open(1, 2), Open(1.5, 4), Open(5, 6)]).ShouldBe(3);
    }

    [Fact]
    public void Max_OneEndsAsTheNextArrives_AreNotCountedTogether()
    {
        UpstreamConcurrency.Max([Open(0, 1), Open(1, 2), Open(2, 3)]).ShouldBe(1);
    }

    [Fact]
    public void Max_StillOpen_CountsUntilTheEnd()
    {
        UpstreamConcurrency.Max([Open(0, null), Open(10, 11), Open(20, 21)]).ShouldBe(2);
    }

    [Fact]
    public void Max_NoRequests_IsZero()
    {
        UpstreamConcurrency.Max([]).ShouldBe(0);
    }
}
