using Pacer.Goodput.Measuring;
using Pacer.Goodput.Shapes;
using Pacer.Goodput.Systems;

namespace Pacer.Goodput.Tests.Shapes;

public sealed class ShapesBenchmarkTests
{
    private static readonly IdealBreakdown Ideal = new(
        Requests: TimeSpan.FromSeconds(9), InputTokens: TimeSpan.Zero, OutputTokens: TimeSpan.Zero,
        MeanServiceTime: TimeSpan.FromSeconds(1), Concurrency: TimeSpan.Zero, LongestRequest: TimeSpan.Zero,
        TotalInputTokens: 0, TotalOutputTokens: 0);

    private static GoodputResult Result(int number, double makespan, int meeting429 = 0) => new()
    {
        Number = number,
        System = number == 4 ? "pacer-learning" : "pacer-gateway",
        Requests = 200,
        Succeeded = 200,
        Failed = 0,
        Failures = new Dictionary<string, int>(),
        Attempts = 200 + meeting429,
        Upstream429 = meeting429,
        Upstream429ByLimit = new Dictionary<string, int>(),
        RequestsMeeting429 = meeting429,
        MakespanSeconds = makespan,
        IdealSeconds = 10,
        P50Ms = 1,
        P99Ms = 2,
        OutputTokensServed = 0,
        BoundReached = false,
    };

    [Fact]
    public void Summary_GivesEachSystemsMedianRangeRunsMetAndMost429s()
    {
        var shape = GoodputShape.Named("tiny-output")[0];
        ShapeResult[] runs =
        [
            new(shape, Ideal, [Result(4, 10.5), Result(5, 12.0, meeting429: 3)]) { Pass = 1 },
            new(shape, Ideal, [Result(4, 11.5), Result(5, 10.8)]) { Pass = 2 },
            new(shape, Ideal, [Result(4, 9.7), Result(5, 10.9, meeting429: 1)]) { Pass = 3 },
        ];

        var summary = ShapesBenchmark.Summary(runs);

        var row = summary.Split('\n').Single(l => l.StartsWith("| tiny-output", StringComparison.Ordinal));
        var cells = row.Split('|').Select(c => c.Trim()).ToList();
        cells[2].ShouldBe("3");
        cells[3].ShouldBe("1.05× (0.97×–1.15×), met 2 of 3, 0.0 %");
        cells[4].ShouldBe("1.09× (1.08×–1.20×), met 2 of 3, 1.5 %");
    }

    [Fact]
    public void Table_RepeatedRuns_NameTheirPass()
    {
        var shape = GoodputShape.Named("tiny-output")[0];
        ShapeResult[] runs = [new(shape, Ideal, [Result(4, 10.5)]) { Pass = 1 }, new(shape, Ideal, [Result(4, 11.5)]) { Pass = 2 }];

        var table = ShapesBenchmark.Table(runs);

        table.ShouldContain("| tiny-output #1 ");
        table.ShouldContain("| tiny-output #2 ");
    }
}
