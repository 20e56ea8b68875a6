using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>
/// Random arrival patterns on fake time (seeded, so every failure replays): the invariants hold after every step.
/// </summary>
public sealed class LimiterPropertyTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AcquireAsync_RandomArrivals_NeverMoreThanNPerWindowNorCInFlight(int seed)
    {
        var random = new Random(seed);
        var options = new PacerOptions
        {
            MaxRequestsPerMinute = random.Next(1, 120),
            MaxConcurrentRequests = random.Next(1, 8),
            Burst = random.Next(1, 10),
            MaxQueueWait = 3_600_000,
        };
        var run = new RandomRun(random, options);

        run.Steps(1500, reconfigure: false);

        run.Admissions.ShouldBeGreaterThan(options.MaxRequestsPerMinute);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Reconfigure_UnderRandomLoad_KeepsEveryInvariant(int seed)
    {
        var random = new Random(seed + 1000);
        var run = new RandomRun(random, new PacerOptions { MaxRequestsPerMinute = 30, MaxConcurrentRequests = 4, Burst = 3, MaxQueueWait = 3_600_000 });

        run.Steps(2000, reconfigure: true);

        run.Reconfigurations.ShouldBeGreaterThan(20);
        run.Admissions.ShouldBeGreaterThan(50);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AcquireAsync_OneUserFloods_OtherUsersWaitAtMostOneTurnPerWaitingUser(int seed)
    {
        var random = new Random(seed + 2000);
        var interval = TimeSpan.FromSeconds(1);
        using var fixture = new LimiterFixture(new PacerOptions { MaxRequestsPerMinute = 60, MaxConcurrentRequests = 50, Burst = 1, MaxQueueLength = 100_000, MaxQueueWait = 3_600_000 });
        var flood = new Queue<PendingPermit>();
        for (var i = 0; i < 1000; i++)
        {
            flood.Enqueue(fixture.Start("flood"));
        }

        for (var round = 0; round < 40; round++)
        {
            fixture.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3000)));
            ReleaseAdmitted(flood);

            // A light user arrives with one request (sometimes two users at once); count the flood's admissions until each is in.
            var lights = new List<(PendingPermit Pending, int Waiting)>();
            for (var i = random.Next(1, 3); i > 0; i--)
            {
                lights.Add((fixture.Start("light" + round + "-" + i), fixture.Limiter.Snapshot().QueuedUsers - 1));
            }

            var floodBefore = new int[lights.Count];
            while (lights.Exists(l => !l.Pending.IsCompleted))
            {
                // A tenth of the interval per step: at most one admission per step (Burst 1).
                fixture.Advance(interval / 10);
                var admitted = ReleaseAdmitted(flood);
                for (var i = 0; i < lights.Count; i++)
                {
                    floodBefore[i] += lights[i].Pending.IsCompleted ? 0 : admitted;
                }
            }

            for (var i = 0; i < lights.Count; i++)
            {
                var (pending, waiting) = lights[i];
                floodBefore[i].ShouldBeLessThanOrEqualTo(1, $"round {round}: the flood was admitted {floodBefore[i]} times before a light request");
                pending.Permit.QueueTime.ShouldBeLessThanOrEqualTo(interval * (waiting + 2), $"round {round}");
                pending.Permit.Dispose();
            }
        }

        flood.Count.ShouldBeGreaterThan(800);
        fixture.Limiter.Dispose();
        foreach (var pending in flood)
        {
            pending.ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.ShuttingDown);
        }
    }

    private static int ReleaseAdmitted(Queue<PendingPermit> flood)
    {
        var admitted = 0;
        while (flood.TryPeek(out var next) && next.IsCompleted)
        {
            flood.Dequeue().Permit.Dispose();
            admitted++;
        }

        return admitted;
    }

    /// <summary>Drives a limiter with random arrivals, releases, cancellations, time steps and (optionally) reconfigurations, checking the invariants after every step.</summary>
    private sealed class RandomRun(Random random, PacerOptions initial)
    {
        private readonly LimiterFixture _fixture = new(initial);
        private readonly List<(PendingPermit Task, CancellationTokenSource? Cancel)> _pending = [];
        private readonly List<Permit> _held = [];
        private readonly List<long> _admittedAt = [];

        public int Admissions => _admittedAt.Count;

        public int Reconfigurations { get; private set; }

        public void Steps(int count, bool reconfigure)
        {
            for (var step = 0; step < count; step++)
            {
                switch (random.Next(reconfigure ? 6 : 5))
                {
                    case 0 or 1:
                        Arrive();
                        break;
                    case 2:
                        _fixture.Advance(TimeSpan.FromMilliseconds(random.Next(0, random.Next(2) == 0 ? 500 : 5000)));
                        break;
                    case 3:
                        Release();
                        break;
                    case 4:
                        CancelOne();
                        break;
                    default:
                        Reconfigure();
                        break;
                }

                Harvest(step);
            }

            _fixture.Dispose();
            Harvest(count);
            _pending.Count.ShouldBe(0);
        }

        private void Arrive()
        {
            for (var i = random.Next(1, 6); i > 0; i--)
            {
                var cancel = random.Next(4) == 0 ? new CancellationTokenSource() : null;
                var request = LimiterFixture.Request("user" + random.Next(0, 4));
                _pending.Add((new PendingPermit(_fixture.Limiter.AcquireAsync(request, cancel?.Token ?? TestContext.Current.CancellationToken)), cancel));
            }
        }

        private void Release()
        {
            for (var i = random.Next(0, 3); i > 0 && _held.Count > 0; i--)
            {
                var index = random.Next(_held.Count);
                _held[index].Dispose();
                _held.RemoveAt(index);
            }
        }

        private void CancelOne()
        {
            foreach (var (task, cancel) in _pending)
            {
                if (cancel is not null && !task.IsCompleted)
                {
                    cancel.Cancel();
                    task.IsCompleted.ShouldBeTrue("cancellation removes a waiter at once");
                    return;
                }
            }
        }

        private void Reconfigure()
        {
            var update = new PacerOptionsUpdate()
                .Set("maxRequestsPerMinute", random.Next(1, 90))
                .Set("maxConcurrentRequests", random.Next(1, 6))
                .Set("burst", random.Next(1, 6));
            _fixture.Limiter.Reconfigure(update);
            Reconfigurations++;
        }

        private void Harvest(int step)
        {
            var options = _fixture.Limiter.Options;
            var admitted = false;
            for (var i = _pending.Count - 1; i >= 0; i--)
            {
                var (task, cancel) = _pending[i];
                if (!task.IsCompleted)
                {
                    continue;
                }

                _pending.RemoveAt(i);
                cancel?.Dispose();
                if (task.IsAdmitted)
                {
                    var permit = task.Permit;
                    _held.Add(permit);
                    _admittedAt.Add(((LimiterPermit)permit).AdmittedAt);
                    admitted = true;
                }
                else
                {
                    // Rejected (at shutdown) or cancelled.
                    task.Error.ShouldBeAssignableTo<Exception>().ShouldSatisfyAllConditions(
                        e => (e is OperationCanceledException || e is PacerRejectedException { Reason: RejectionReason.ShuttingDown }).ShouldBeTrue(e.ToString()));
                }
            }

            if (!admitted)
            {
                return;
            }

            _held.Count.ShouldBeLessThanOrEqualTo(options.MaxConcurrentRequests, $"step {step}: in flight");
            _admittedAt.Sort();
            var last = _admittedAt[^1];
            var inWindow = _admittedAt.Count(t => t > last - TimeSpan.TicksPerMinute);
            inWindow.ShouldBeLessThanOrEqualTo(options.MaxRequestsPerMinute, $"step {step}: admissions in the 60 s before the latest");
        }
    }
}
