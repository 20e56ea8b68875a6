using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Benchmarks;

/// <summary>
/// One uncontended acquire and release: Pacer's limiter (requests per minute with its exact window, concurrency, the
/// (key, model class) bucket) against System.Threading.RateLimiting's sliding-window and concurrency limiters chained.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class AcquireReleaseBenchmarks
{
    private static readonly AcquireRequest Request = new("key-hash", "claude-sonnet-4-5", "user-1", new RequestCost(1200, 1024));

    private Limiter _limiter = null!;
    private RateLimiter _builtIn = null!;
    private SlidingWindowRateLimiter _window = null!;
    private ConcurrencyLimiter _concurrency = null!;

    /// <summary>
    /// A short job with 15 iterations instead of 3 (the machine is shared, so single iterations are noisy), in-process
    /// (building a separate host project times out on a busy machine).
    /// </summary>
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance));
    }

    [GlobalSetup]
    public void Setup()
    {
        _limiter = new Limiter(new PacerOptions { MaxRequestsPerMinute = 1000, MaxConcurrentRequests = 50, Burst = 100 }, new SteppingClock());
        _window = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = int.MaxValue,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 60,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 50, QueueLimit = 0 });
        _builtIn = RateLimiter.CreateChained(_window, _concurrency);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _limiter.Dispose();
        _builtIn.Dispose();
        _window.Dispose();
        _concurrency.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Built-in sliding window + concurrency, chained")]
    public async ValueTask<bool> BuiltInChained()
    {
        using var lease = await _builtIn.AcquireAsync(1);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "Pacer Limiter")]
    public async ValueTask<TimeSpan> PacerLimiter()
    {
        using var permit = await _limiter.AcquireAsync(Request);
        return permit.QueueTime;
    }

    [Benchmark(Description = "Pacer Limiter, with Complete(usage)")]
    public async ValueTask<TimeSpan> PacerLimiterWithUsage()
    {
        using var permit = await _limiter.AcquireAsync(Request);
        permit.Complete(new TokenUsage(1100, 300));
        return permit.QueueTime;
    }
}
