using System.Diagnostics;

namespace Pacer.Benchmarks;

/// <summary>
/// The real monotonic clock plus 60 ms more at every reading, so that a limiter of 1,000 requests per minute (the
/// largest allowed) is never the bottleneck: the benchmark measures the bookkeeping of an admission, not a wait.
/// Reading it costs what <see cref="Stopwatch.GetTimestamp"/> costs, as the built-in limiters pay.
/// </summary>
public sealed class SteppingClock : TimeProvider
{
    private static readonly long Step = Stopwatch.Frequency * 60 / 1000;
    private long _skew;

    public override long GetTimestamp() => Stopwatch.GetTimestamp() + Interlocked.Add(ref _skew, Step);
}
