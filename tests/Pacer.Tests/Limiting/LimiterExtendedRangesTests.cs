using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>The engine at the top of the extended ranges: 100000 requests per minute, 10000 in flight, on fake time.</summary>
public sealed class LimiterExtendedRangesTests
{
    private const int PerMinute = 100_000;
    private const int Concurrent = 10_000;
    private static readonly long Step = TimeSpan.FromMicroseconds(100).Ticks;

    private static readonly PacerOptions Extended = new()
    {
        ExtendedRanges = true,
        MaxRequestsPerMinute = PerMinute,
        MaxConcurrentRequests = Concurrent,
    };

    [Fact]
    public void TryAcquire_100000PerMinute_AdmitsAtThatRateAndNeverMoreInAnyWindow()
    {
        var time = new FakeTimeProvider(LimiterFixture.Epoch);
        using var limiter = new Limiter(Extended, time);
        var run = new Run(limiter, time, hold: TimeSpan.FromSeconds(5).Ticks, capacity: 2 * PerMinute + 10);

        run.Until(TimeSpan.TicksPerMinute);
        var firstMinute = run.Count;
        run.Until(2 * TimeSpan.TicksPerMinute);

        firstMinute.ShouldBe(PerMinute);
        (run.Count - firstMinute).ShouldBe(PerMinute);
        run.PeakInFlight.ShouldBeLessThanOrEqualTo(Concurrent);
        run.PeakInFlight.ShouldBeGreaterThan(8_000);

        // No 60-second window holds more than N admissions: the (i + N)th comes at least a minute after the ith.
        for (var i = 0; i + PerMinute < run.Count; i++)
        {
            (run.Admitted[i + PerMinute] - run.Admitted[i]).ShouldBeGreaterThanOrEqualTo(TimeSpan.TicksPerMinute);
        }
    }

    [Fact]
    public void TryAcquire_100000PerMinuteOnceWarm_AllocatesNothing()
    {
        // FakeTimeProvider allocates whenever the limiter re-arms its wake-up timer (after each refusal here), so this
        // clock's timers are inert: with TryAcquire nobody waits, and only the limiter's own allocations are counted.
        var time = new SteppedClock();
        using var limiter = new Limiter(Extended, time);
        var run = new Run(limiter, time, hold: TimeSpan.FromSeconds(5).Ticks, capacity: 2 * PerMinute + 10);

        // The first minute grows the window's ring and the permit pool to this policy, once.
        run.Until(TimeSpan.TicksPerMinute);
        var before = GC.GetAllocatedBytesForCurrentThread();
        run.Until(2 * TimeSpan.TicksPerMinute);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        run.Count.ShouldBe(2 * PerMinute);
        allocated.ShouldBe(0);
    }

    [Fact]
    public void TryAcquire_10000InFlight_AdmitsNoMoreUntilOneIsReleased()
    {
        var time = new FakeTimeProvider(LimiterFixture.Epoch);
        using var limiter = new Limiter(Extended, time);
        var run = new Run(limiter, time, hold: long.MaxValue, capacity: Concurrent + 1);

        run.Until(TimeSpan.TicksPerMinute);

        run.Count.ShouldBe(Concurrent);
        limiter.InFlight.ShouldBe(Concurrent);
        limiter.TryAcquire(LimiterFixture.Request(), out _).ShouldBeFalse();
        run.ReleaseOldest();
        limiter.TryAcquire(LimiterFixture.Request(), out var next).ShouldBeTrue();
        next!.Dispose();
        run.ReleaseAll();
    }

    /// <summary>Tries an admission every 100 µs of fake time, holds each permit for a while, and records when each came.</summary>
    private sealed class Run(Limiter limiter, TimeProvider time, long hold, int capacity)
    {
        private readonly AcquireRequest _request = LimiterFixture.Request();
        private readonly Permit?[] _held = new Permit?[capacity];
        private readonly long _start = time.GetUtcNow().UtcTicks;
        private int _released;

        public long[] Admitted { get; } = new long[capacity];

        public int Count { get; private set; }

        public int PeakInFlight { get; private set; }

        public void Until(long elapsed)
        {
            while (Now() < elapsed)
            {
                while (_released < Count && hold != long.MaxValue && Admitted[_released] + hold <= Now())
                {
                    ReleaseOldest();
                }

                while (limiter.TryAcquire(_request, out var permit))
                {
                    Admitted[Count] = Now();
                    _held[Count++] = permit;
                }

                PeakInFlight = Math.Max(PeakInFlight, limiter.InFlight);
                Advance(TimeSpan.FromTicks(Step));
            }
        }

        public void ReleaseOldest()
        {
            _held[_released]!.Dispose();
            _held[_released++] = null;
        }

        public void ReleaseAll()
        {
            while (_released < Count)
            {
                ReleaseOldest();
            }
        }

        private void Advance(TimeSpan step)
        {
            if (time is FakeTimeProvider fake)
            {
                fake.Advance(step);
            }
            else
            {
                ((SteppedClock)time).Advance(step);
            }
        }

        private long Now() => time.GetUtcNow().UtcTicks - _start;
    }

    /// <summary>A clock moved by hand whose timers never fire and allocate nothing when changed.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = LimiterFixture.Epoch.UtcTicks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan step) => _ticks += step.Ticks;

        public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

        public override long GetTimestamp() => _ticks;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new InertTimer();

        private sealed class InertTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
