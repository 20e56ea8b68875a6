using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Benchmarks;

/// <summary>
/// 10,000 requests queued behind a full concurrency limit: the memory they take, and the time to cancel them all
/// (each wait removed and failed with OperationCanceledException), for Pacer and for the built-in ConcurrencyLimiter.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class QueuedWaitersBenchmarks
{
    private const int Waiters = 10_000;

    private readonly ValueTask<Permit>[] _pacerWaits = new ValueTask<Permit>[Waiters];
    private readonly ValueTask<RateLimitLease>[] _builtInWaits = new ValueTask<RateLimitLease>[Waiters];
    private Limiter _limiter = null!;
    private Permit _held = null!;
    private ConcurrencyLimiter _concurrency = null!;
    private RateLimitLease _lease = null!;
    private CancellationTokenSource _cancel = null!;

    [IterationSetup(Targets = [nameof(PacerEnqueue), nameof(BuiltInEnqueue)])]
    public void SetupEmpty() => Start();

    [IterationSetup(Targets = [nameof(PacerCancelAll)])]
    public void SetupPacerQueue()
    {
        Start();
        PacerEnqueue();
    }

    [IterationSetup(Targets = [nameof(BuiltInCancelAll)])]
    public void SetupBuiltInQueue()
    {
        Start();
        BuiltInEnqueue();
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _cancel.Cancel();
        Drain();
        _held.Dispose();
        _lease.Dispose();
        _limiter.Dispose();
        _concurrency.Dispose();
        _cancel.Dispose();
    }

    [Benchmark(Description = "Pacer: queue 10,000 waiters")]
    public void PacerEnqueue()
    {
        var request = new AcquireRequest("key-hash", "claude-sonnet-4-5", "user-1", new RequestCost(1200, 1024));
        for (var i = 0; i < Waiters; i++)
        {
            _pacerWaits[i] = _limiter.AcquireAsync(request, _cancel.Token);
        }
    }

    [Benchmark(Description = "Built-in ConcurrencyLimiter: queue 10,000 waiters")]
    public void BuiltInEnqueue()
    {
        for (var i = 0; i < Waiters; i++)
        {
            _builtInWaits[i] = _concurrency.AcquireAsync(1, _cancel.Token);
        }
    }

    [Benchmark(Description = "Pacer: cancel 10,000 waiters")]
    public void PacerCancelAll() => _cancel.Cancel();

    [Benchmark(Description = "Built-in ConcurrencyLimiter: cancel 10,000 waiters")]
    public void BuiltInCancelAll() => _cancel.Cancel();

    /// <summary>One queue per iteration, built before it and drained after it; 20 warm-up iterations so the JIT has tiered up; in-process.</summary>
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(20)
            .WithIterationCount(15)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithToolchain(InProcessEmitToolchain.Instance));
    }

    private void Start()
    {
        _cancel = new CancellationTokenSource();
        // Concurrency is what they wait for: the real clock, and a wait far longer than the run.
        _limiter = new Limiter(new PacerOptions { MaxRequestsPerMinute = 1000, MaxConcurrentRequests = 1, Burst = 100, MaxQueueLength = Waiters, MaxQueueWait = 3_600_000 });
        _held = _limiter.AcquireAsync(new AcquireRequest("key-hash", "claude-sonnet-4-5", "holder", default)).AsTask().Result;
        _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = Waiters });
        _lease = _concurrency.AttemptAcquire(1);
        Array.Clear(_pacerWaits);
        Array.Clear(_builtInWaits);
    }

    private void Drain()
    {
        foreach (var wait in _pacerWaits)
        {
            if (wait != default)
            {
                try
                {
                    wait.AsTask().Wait();
                }
                catch (AggregateException)
                {
                    // Cancelled, as intended.
                }
            }
        }

        foreach (var wait in _builtInWaits)
        {
            if (wait != default)
            {
                try
                {
                    wait.AsTask().Wait();
                }
                catch (AggregateException)
                {
                    // Cancelled, as intended.
                }
            }
        }
    }
}
