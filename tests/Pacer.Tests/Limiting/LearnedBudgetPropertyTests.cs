using System.Globalization;
using System.Net.Http.Headers;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>
/// A simulated upstream with Anthropic's continuously refilled buckets answers every request with its headers, after
/// random latencies. Once the limiter has seen one response, it never sends a request the server would refuse.
/// </summary>
public sealed class LearnedBudgetPropertyTests
{
    public static TheoryData<int, bool, bool> Cases => new()
    {
        { 1, true, false }, { 2, true, false }, { 3, false, false }, { 4, false, false },
        { 5, true, true }, { 6, true, true }, { 7, false, true }, { 8, false, true },
    };

    /// <param name="seed">The random seed.</param>
    /// <param name="observeWithPermit">Whether responses are observed with their permit (else by key and model).</param>
    /// <param name="streams">Whether responses are streams: headers first, output produced (and counted) until the end.</param>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Observe_RandomTraffic_ServerNeverRefuses(int seed, bool observeWithPermit, bool streams)
    {
        var random = new Random(seed);
        // The server counts output as produced, and its headers give no reset: nothing could show that to auto, which
        // would hold max_tokens as if the server reserved it (LimiterOutputAccountingTests covers auto).
        using var fixture = new LimiterFixture(new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50, MaxQueueLength = 100_000, MaxQueueWait = 3_600_000, OutputReservation = OutputReservation.Estimate });
        var requests = new ServerBucket(random.Next(20, 80));
        var input = new ServerBucket(random.Next(20, 60) * 1000);
        var output = new ServerBucket(random.Next(4, 16) * 1000);
        var pending = new List<(PendingPermit Pending, int ActualInput)>();
        var inFlight = new List<(Permit Permit, int ActualInput, int ActualOutput, bool HeadersSeen)>();
        var sent = 0;

        // The first request meets an unknown server: only the operator's policy applies, then its response teaches.
        var probe = fixture.AcquireNow(input: 1000, output: 100);
        Send(probe, 900);
        Answer(probe, 900, 50, headersSeen: false);

        for (var step = 0; step < 3000; step++)
        {
            switch (random.Next(4))
            {
                case 0:
                    for (var i = random.Next(1, 4); i > 0; i--)
                    {
                        // The estimate is on the high side: the server charges up to 30% less input than reserved.
                        var estimate = random.Next(500, 5000);
                        var request = LimiterFixture.Request("user" + random.Next(3), input: estimate, output: random.Next(100, 2000));
                        pending.Add((new PendingPermit(fixture.Limiter.AcquireAsync(request, TestContext.Current.CancellationToken)), estimate - random.Next(0, estimate * 3 / 10)));
                    }

                    break;
                case 1:
                    fixture.Advance(TimeSpan.FromMilliseconds(random.Next(0, 2000)));
                    break;
                default:
                    if (inFlight.Count > 0)
                    {
                        var index = random.Next(inFlight.Count);
                        var (permit, actualInput, actualOutput, headersSeen) = inFlight[index];
                        if (streams && !headersSeen)
                        {
                            // A stream's headers come first; its output is produced (and counted) later.
                            ObserveHeaders(permit);
                            inFlight[index] = (permit, actualInput, actualOutput, true);
                        }
                        else
                        {
                            inFlight.RemoveAt(index);
                            Answer(permit, actualInput, actualOutput, headersSeen);
                        }
                    }

                    break;
            }

            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (pending[i].Pending.IsCompleted)
                {
                    var permit = pending[i].Pending.Permit;
                    Send(permit, pending[i].ActualInput);
                    inFlight.Add((permit, pending[i].ActualInput, random.Next(1, permit.Reserved.OutputTokens + 1), false));
                    pending.RemoveAt(i);
                }
            }
        }

        sent.ShouldBeGreaterThan(100);
        requests.Refusals.ShouldBe(0, "requests per minute");
        input.Refusals.ShouldBe(0, "input tokens per minute");
        output.Refusals.ShouldBe(0, "output tokens per minute");

        void Send(Permit permit, int actualInput)
        {
            var now = fixture.Time.GetUtcNow();
            requests.Charge(1, now);
            input.Charge(actualInput, now);
            output.Admit(now);
            sent++;
        }

        void Answer(Permit permit, int actualInput, int actualOutput, bool headersSeen)
        {
            // Output is counted as it is produced: by the time the response is complete, all of it.
            output.Produce(actualOutput, fixture.Time.GetUtcNow());
            if (!headersSeen)
            {
                ObserveHeaders(permit);
            }

            permit.Complete(new TokenUsage(actualInput, actualOutput));
            permit.Dispose();
        }

        void ObserveHeaders(Permit permit)
        {
            var headers = Headers(fixture.Time.GetUtcNow());
            if (observeWithPermit)
            {
                fixture.Limiter.Observe(permit, headers);
            }
            else
            {
                fixture.Limiter.Observe("k", "claude-sonnet-4-5", headers);
            }
        }

        HttpResponseHeaders Headers(DateTimeOffset now)
        {
            using var response = new HttpResponseMessage();
            Add(response.Headers, "requests", requests.Limit, requests.Remaining(now, roundToThousand: false));
            Add(response.Headers, "input-tokens", input.Limit, input.Remaining(now, roundToThousand: true));
            Add(response.Headers, "output-tokens", output.Limit, output.Remaining(now, roundToThousand: false));
            return response.Headers;
        }
    }

    private static void Add(HttpResponseHeaders headers, string budget, long limit, long remaining)
    {
        headers.TryAddWithoutValidation($"anthropic-ratelimit-{budget}-limit", limit.ToString(CultureInfo.InvariantCulture));
        headers.TryAddWithoutValidation($"anthropic-ratelimit-{budget}-remaining", remaining.ToString(CultureInfo.InvariantCulture));
    }
}
