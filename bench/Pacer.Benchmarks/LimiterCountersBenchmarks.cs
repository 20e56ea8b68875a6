using BenchmarkDotNet.Attributes;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Benchmarks;

/// <summary>
/// What the handler reads for its 📊/📈 log lines on every attempt, and the metrics' gauges on every collection: a whole
/// <see cref="Limiter.Snapshot"/> against the cheap counters. The limiter holds two requests in flight, one waiting and
/// one learned upstream bucket (one key, one model class), as a small gateway does.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class LimiterCountersBenchmarks
{
    private Limiter _limiter = null!;
    private Permit[] _held = [];
    private ValueTask<Permit> _waiting;

    [GlobalSetup]
    public void Setup()
    {
        _limiter = new Limiter(new PacerOptions { MaxRequestsPerMinute = 1000, MaxConcurrentRequests = 2, Burst = 100, MaxQueueWait = 300_000 });
        var request = new AcquireRequest("key-hash", "claude-sonnet-4-5", "user-1", new RequestCost(1200, 1024));
        _held = [_limiter.AcquireAsync(request).AsTask().Result, _limiter.AcquireAsync(request).AsTask().Result];
        _waiting = _limiter.AcquireAsync(new AcquireRequest("key-hash", "claude-sonnet-4-5", "user-2", request.Cost));
        using var response = new HttpResponseMessage();
        var headers = response.Headers;
        headers.TryAddWithoutValidation("anthropic-ratelimit-requests-limit", "4000");
        headers.TryAddWithoutValidation("anthropic-ratelimit-requests-remaining", "3990");
        headers.TryAddWithoutValidation("anthropic-ratelimit-requests-reset", "2030-01-01T00:00:01Z");
        _limiter.Observe(_held[0], headers);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _limiter.Dispose();
        foreach (var permit in _held)
        {
            permit.Dispose();
        }

        _ = _waiting.AsTask().Exception;
    }

    [Benchmark(Baseline = true, Description = "Log lines from Snapshot()")]
    public int LogFromSnapshot()
    {
        var snapshot = _limiter.Snapshot();
        var options = _limiter.Options;
        return snapshot.CurrentRequests + options.MaxConcurrentRequests + snapshot.RecentRequests + options.MaxRequestsPerMinute;
    }

    [Benchmark(Description = "Log lines from InFlight, RequestsInLastMinute")]
    public int LogFromCounters()
    {
        var options = _limiter.Options;
        return _limiter.InFlight + options.MaxConcurrentRequests + _limiter.RequestsInLastMinute + options.MaxRequestsPerMinute;
    }

    [Benchmark(Description = "Gauges from Snapshot() (twice)")]
    public int GaugesFromSnapshot() => _limiter.Snapshot().CurrentRequests + _limiter.Snapshot().QueuedRequests;

    [Benchmark(Description = "Gauges from InFlight, Queued")]
    public int GaugesFromCounters() => _limiter.InFlight + _limiter.Queued;
}
