using System.Diagnostics;
using System.Globalization;
using Pacer.Configuration;
using Pacer.Goodput.Hosting;
using Pacer.Limiting;
using Pacer.Redis;

namespace Pacer.Goodput.Shared;

/// <summary>
/// The added cost of a shared admission: one request at a time acquires and releases a permit through a limiter on a
/// Redis store (a <c>redis-server</c> it starts on loopback, or <c>--redis URL</c>) and through one on the in-memory
/// store, in the same run; the report gives each one's p50 and p99 and the difference.
/// </summary>
internal static class SharedAdmissionBenchmark
{
    public static async Task<int> RunAsync(string? url, int requests)
    {
        // The harness's own redis-server unless one is given, ready once it answers PING (bounded).
        await using var server = url is null ? await RedisProcess.StartAsync() : null;
        url ??= server!.Url;

        var policy = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50, LearnLimits = false };
        var rounds = Math.Max(1, requests / PerRound);
        var shared = new List<double>();
        var local = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // A fresh store each round (a new prefix on Redis), within the burst.
            await using var redis = await RedisLimiterStore.ConnectAsync(new RedisLimiterOptions { Url = url, Prefix = "bench-" + Guid.NewGuid().ToString("N") });
            await MeasureAsync(new Limiter(policy, store: redis), shared);
            await MeasureAsync(new Limiter(policy), local);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"shared admission on Redis over loopback ({url}), {rounds * PerRound} sequential acquire+release pairs on each store, interleaved by rounds of {PerRound}:"));
        var a = Report("in-memory store", local);
        var b = Report("Redis store", shared);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  added by Redis: p50 {b.P50 - a.P50:0.000} ms, p99 {b.P99 - a.P99:0.000} ms"));
        return 0;
    }

    // Burst 100: the first 100 admissions of a fresh store are not paced, so the limit is never what is measured.
    private const int PerRound = 100;

    private static async Task MeasureAsync(Limiter limiter, List<double> times)
    {
        using (limiter)
        {
            var request = new AcquireRequest("bench-key", "claude-sonnet-4-5", "user", new RequestCost(100, 100));
            for (var i = 0; i < PerRound; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using (await limiter.AcquireAsync(request))
                {
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }
    }

    private static (double P50, double P99) Report(string name, List<double> times)
    {
        times.Sort();
        var figures = (times[times.Count / 2], times[(int)(times.Count * 0.99)]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-16} admission p50 {figures.Item1:0.000} ms, p99 {figures.Item2:0.000} ms"));
        return figures;
    }
}
