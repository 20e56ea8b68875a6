using Pacer.Goodput.Measuring;
using Pacer.Goodput.Workloads;
using Pacer.Simulator;

namespace Pacer.Goodput.Tests.Measuring;

public sealed class DrawnServiceTimesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 6, 0, 0, TimeSpan.Zero);
    private static readonly LatencyModel Latency = new(Enabled: true, TimeSpan.FromSeconds(1), TokensPerSecond: 10);

    private static SimulatorAttempt Attempt(string tag, int status, double arrived, double? completed, string path = "/v1/messages") => new()
    {
        Path = path,
        Status = status,
        ArrivedAt = Start.AddSeconds(arrived),
        CompletedAt = completed is { } end ? Start.AddSeconds(end) : null,
        Headers = new Dictionary<string, string> { [RequestTag.HeaderName] = tag },
    };

    [Fact]
    public void Of_TakesEachRequestsAnsweredAttemptFromArrivalToTheEndOfItsAnswer()
    {
        SimulatorAttempt[] attempts =
        [
            Attempt("w1", 429, arrived: 0.2, completed: 0.21),
            Attempt("w0", 200, arrived: 0.0, completed: 2.5),
            Attempt("w1", 200, arrived: 3.0, completed: 16.25),
        ];

        var times = DrawnServiceTimes.Of(attempts, [new RequestDemand(10, 5), new RequestDemand(10, 120)], Latency);

        times.ShouldBe([TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(13.25)]);
    }

    [Fact]
    public void Of_RequestNeverAnswered_TakesTheLatencyModelsMean()
    {
        // w1 met only a 429; the count_tokens call and the answer still open are not answers to a Messages request.
        SimulatorAttempt[] attempts =
        [
            Attempt("w0", 200, arrived: 0.0, completed: 2.0),
            Attempt("w1", 429, arrived: 0.1, completed: 0.1),
            Attempt("w1", 200, arrived: 0.2, completed: 9.0, path: "/v1/messages/count_tokens"),
            Attempt("w2", 200, arrived: 0.3, completed: null),
        ];

        var times = DrawnServiceTimes.Of(attempts, [new RequestDemand(10, 5), new RequestDemand(10, 20), new RequestDemand(10, 40)], Latency);

        times.ShouldBe([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)]);
    }
}
