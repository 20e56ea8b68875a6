using System.Diagnostics;
using System.Net.Http.Headers;

namespace Pacer.Goodput.Overhead;

/// <summary>
/// A closed-loop load generator: N connections, each sending the same Messages request and waiting for the whole answer
/// before the next, optionally at a fixed total rate (a connection whose answer comes late sends at once), for a
/// warm-up and then a measured duration. Bounded in time; it stops by itself.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(Uri target, byte[] body, LoadShape shape)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(shape);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = shape.Connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var messages = new Uri(target, "v1/messages");
        var clock = Stopwatch.StartNew();
        var end = shape.Warmup + shape.Duration;
        var latencies = new List<double>[shape.Connections];
        var errors = new int[shape.Connections];
        var interval = shape.RatePerSecond is { } rate ? TimeSpan.FromSeconds(shape.Connections / rate) : TimeSpan.Zero;

        async Task ConnectionAsync(int index)
        {
            await Task.Yield();
            var measured = latencies[index] = new List<double>(4096);
            var next = interval * index / shape.Connections;
            while (clock.Elapsed < end)
            {
                if (interval > TimeSpan.Zero)
                {
                    if (next > clock.Elapsed)
                    {
                        await Task.Delay(next - clock.Elapsed);
                    }

                    next += interval;
                }

                var started = clock.Elapsed;
                var ok = await SendAsync(client, messages, body);
                if (started >= shape.Warmup && clock.Elapsed <= end + TimeSpan.FromSeconds(5))
                {
                    if (ok)
                    {
                        measured.Add((clock.Elapsed - started).TotalMilliseconds);
                    }
                    else
                    {
                        errors[index]++;
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, shape.Connections).Select(ConnectionAsync));
        var window = clock.Elapsed - shape.Warmup;
        return new LoadResult([.. latencies.SelectMany(l => l)], errors.Sum(), window);
    }

    private static async Task<bool> SendAsync(HttpClient client, Uri messages, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, messages) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("x-api-key", "sk-ant-bench-overhead");
        request.Headers.Add("anthropic-version", "2023-06-01");
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}

/// <summary>How the load is offered: connections, an optional total rate, a warm-up and a measured duration.</summary>
internal sealed record LoadShape(int Connections, double? RatePerSecond, TimeSpan Warmup, TimeSpan Duration);

/// <summary>The successful requests' latencies (ms), the failures, and the measured window.</summary>
internal sealed record LoadResult(IReadOnlyList<double> LatenciesMs, int Errors, TimeSpan Window)
{
    public double Throughput => LatenciesMs.Count / Window.TotalSeconds;
}
