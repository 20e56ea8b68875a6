using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Pacer.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test each time a timer is created and for how long, so that a test
/// advances time exactly when the code under test starts waiting, never by guessing and never by sleeping.
/// </summary>
internal sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public TimerWatchingTimeProvider()
        : base(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _timers.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>Waits (at most 10 s of real time) for the next timer whose due time matches, skipping others.</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool>? match = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var due = await _timers.Reader.ReadAsync(timeout.Token);
            if (match is null || match(due))
            {
                return due;
            }
        }
    }

    /// <summary>Waits for a timer of exactly <paramref name="due"/>, then advances time by it.</summary>
    public async Task AdvanceWhenWaitingAsync(TimeSpan due)
    {
        await NextTimerAsync(d => d == due);
        Advance(due);
    }

    /// <summary>Gets a value indicating whether any timer was created and not yet read.</summary>
    public bool HasUnreadTimers => _timers.Reader.Count > 0;
}
