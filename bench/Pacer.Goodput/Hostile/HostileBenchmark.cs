using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Pacer.Goodput.Hosting;
using Pacer.Goodput.Measuring;

namespace Pacer.Goodput.Hostile;

/// <summary>
/// Hostile clients against the gateway in a process of its own (passthrough, in front of a zero-latency simulator):
/// while two normal clients send paced <c>/v1/messages</c> requests (one reusing its connection, one opening a new
/// connection for each), the phases add 10,000 idle connections, slowloris clients, both, and finally the idle
/// connections against a gateway whose <c>PACER_MAX_CONNECTIONS</c> is below their number. Each phase reports the normal
/// clients' latency and errors and what the gateway did to the attackers' connections.
/// </summary>
internal sealed class HostileBenchmark(HostileSettings settings, TextWriter output)
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"model":"claude-sonnet-4-5","max_tokens":32,"messages":[{"role":"user","content":"One short line, please."}]}""");

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<string>> RunAsync()
    {
        var needed = settings.IdleConnections + settings.SlowClients + 200;
        var limit = OpenFileLimit();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Open-file limit of this process: {limit?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} (the .NET runtime raises the soft limit to the hard one at start); {needed} needed here and by the gateway each"));
        if (limit is { } known && known < needed)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"This process may open only {known} files but the benchmark needs {needed}: raise the hard limit (ulimit -Hn, or LimitNOFILE for a service) or pass --idle with fewer connections."));
        }

        await using var simulator = await ChildProcess.StartAsync(BuildOutputs.Simulator, settings.SimulatorArguments, new Dictionary<string, string>());
        var lines = new List<string>();
        await using (var gateway = await GatewayProcess.StartAsync(simulator.Address, settings.GatewaySettings))
        {
            output.WriteLine($"Gateway {gateway.Address} with the default connection limits; simulator {simulator.Address} (zero latency)");
            await NormalClientAsync(gateway.Address, newConnectionEach: false, TimeSpan.FromSeconds(3)); // warm-up, not reported
            lines.Add(await PhaseAsync("baseline", gateway.Address, idle: 0, slow: 0));
            lines.Add(await PhaseAsync("idle", gateway.Address, settings.IdleConnections, slow: 0));
            lines.Add(await PhaseAsync("slowloris", gateway.Address, idle: 0, settings.SlowClients));
            lines.Add(await PhaseAsync("idle+slowloris", gateway.Address, settings.IdleConnections, settings.SlowClients));
            lines.Add(await PhaseAsync("baseline-after", gateway.Address, idle: 0, slow: 0));
        }

        var capped = new Dictionary<string, string>(settings.GatewaySettings) { ["PACER_MAX_CONNECTIONS"] = settings.LowConnectionLimit.ToString(CultureInfo.InvariantCulture) };
        await using (var gateway = await GatewayProcess.StartAsync(simulator.Address, capped))
        {
            output.WriteLine($"Gateway {gateway.Address} with PACER_MAX_CONNECTIONS={settings.LowConnectionLimit}");
            lines.Add(await PhaseAsync($"idle-over-max-{settings.LowConnectionLimit}", gateway.Address, settings.IdleConnections, slow: 0));
        }

        return lines;
    }

    private async Task<string> PhaseAsync(string name, Uri gateway, int idle, int slow)
    {
        var load = LoadAverage();
        using var stop = new CancellationTokenSource();
        var endpoint = new IPEndPoint(IPAddress.Loopback, gateway.Port);

        var idleSockets = new ConcurrentBag<IdleConnection>();
        var refusedIdle = 0;
        var opening = Stopwatch.StartNew();
        await Parallel.ForAsync(0, idle, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (_, _) =>
        {
            try
            {
                idleSockets.Add(await IdleConnection.OpenAsync(endpoint));
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref refusedIdle);
            }
        });
        var openTime = opening.Elapsed;

        var slowloris = new Slowloris(endpoint, slow, settings.TrickleInterval);
        var slowTask = slowloris.RunAsync(stop.Token);

        // Give the attack a moment to be in place before the normal clients are measured.
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(3, settings.Phase.TotalSeconds / 3)));
        var pooled = NormalClientAsync(gateway, newConnectionEach: false, settings.Phase);
        var fresh = NormalClientAsync(gateway, newConnectionEach: true, settings.Phase);
        var (pooledResult, freshResult) = (await pooled, await fresh);

        var idleCut = idleSockets.Count(s => s.ClosedByServer);
        await stop.CancelAsync();
        await slowTask;
        foreach (var socket in idleSockets)
        {
            socket.Dispose();
        }

        var cutAfter = slowloris.Lifetimes.ToArray();
        var summary = new
        {
            benchmark = "hostile",
            phase = name,
            loadAverage = load,
            idle = new { asked = idle, opened = idleSockets.Count, refused = refusedIdle, closedByGateway = idleCut, openSeconds = Math.Round(openTime.TotalSeconds, 1) },
            slowloris = new
            {
                clients = slow,
                connections = slowloris.Connections,
                cutByGateway = cutAfter.Length,
                answered408 = slowloris.Answered408,
                cutAfterSecondsMedian = cutAfter.Length == 0 ? double.NaN : Math.Round(Percentiles.Of(cutAfter, 50), 1),
            },
            pooled = pooledResult,
            newConnection = freshResult,
        };
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-22} load {load,-14} idle {idleSockets.Count,5} open ({refusedIdle} refused, {idleCut} cut) | slowloris {slow,4} clients, {slowloris.Connections,5} connections, {cutAfter.Length,5} cut (median {summary.slowloris.cutAfterSecondsMedian} s) | pooled {pooledResult} | new connection {freshResult}"));
        return JsonSerializer.Serialize(summary, Json);
    }

    private async Task<NormalResult> NormalClientAsync(Uri gateway, bool newConnectionEach, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = newConnectionEach ? TimeSpan.Zero : Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        using var client = new HttpClient(handler) { Timeout = RequestTimeout };
        var messages = new Uri(gateway, "v1/messages");
        var latencies = new List<double>();
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        var interval = TimeSpan.FromSeconds(1 / settings.NormalRatePerSecond);
        var clock = Stopwatch.StartNew();
        for (var next = TimeSpan.Zero; next < duration; next += interval)
        {
            if (next > clock.Elapsed)
            {
                await Task.Delay(next - clock.Elapsed);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, messages) { Content = new ByteArrayContent(Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("x-api-key", "sk-ant-bench-hostile");
            request.Headers.Add("anthropic-version", "2023-06-01");
            var started = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                error = response.IsSuccessStatusCode ? null : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e)
            {
                error = e.HttpRequestError.ToString();
            }
            catch (TaskCanceledException)
            {
                error = "timeout";
            }

            if (error is null)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                errors[error] = errors.GetValueOrDefault(error) + 1;
            }
        }

        return new NormalResult(latencies.Count, Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99), latencies.Count == 0 ? double.NaN : latencies.Max(), errors);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static long? OpenFileLimit()
    {
        const string Path = "/proc/self/limits";
        var line = File.Exists(Path) ? File.ReadLines(Path).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal)) : null;
        var soft = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(3);
        return long.TryParse(soft, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>What a normal client saw: its successes' latency (ms) and its failures by kind.</summary>
    internal sealed record NormalResult(int Ok, double P50Ms, double P99Ms, double MaxMs, IReadOnlyDictionary<string, int> Errors)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Ok} ok, p50 {P50Ms:0.0} ms, p99 {P99Ms:0.0} ms, max {MaxMs:0.0} ms, errors {(Errors.Count == 0 ? "0" : string.Join(" ", Errors.Select(e => e.Key + "=" + e.Value)))}");
    }

    /// <summary>A connection that sends nothing; it notices when the gateway closes it.</summary>
    private sealed class IdleConnection : IDisposable
    {
        private readonly Socket _socket;
        private volatile bool _closed;

        private IdleConnection(Socket socket) => _socket = socket;

        public bool ClosedByServer => _closed;

        public static async Task<IdleConnection> OpenAsync(IPEndPoint endpoint)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endpoint);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            var connection = new IdleConnection(socket);
            _ = connection.WatchAsync();
            return connection;
        }

        public void Dispose() => _socket.Dispose();

        private async Task WatchAsync()
        {
            var buffer = new byte[64];
            try
            {
                while (await _socket.ReceiveAsync(buffer) > 0)
                {
                }

                _closed = true;
            }
            catch (SocketException)
            {
                _closed = true;
            }
            catch (ObjectDisposedException)
            {
                // Closed by the benchmark.
            }
        }
    }

    /// <summary>Clients that send a request's headers one line at a time and never finish; each reconnects when cut.</summary>
    private sealed class Slowloris(IPEndPoint endpoint, int clients, TimeSpan interval)
    {
        private int _connections;
        private int _answered408;

        public ConcurrentBag<double> Lifetimes { get; } = [];

        public int Connections => _connections;

        public int Answered408 => _answered408;

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, clients).Select(i => ClientAsync(i, stop)));

        private async Task ClientAsync(int client, CancellationToken stop)
        {
            // Spread the clients' first lines over one interval.
            await Delay(interval * client / Math.Max(1, clients), stop);
            while (!stop.IsCancellationRequested)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(endpoint, stop);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    await Delay(interval, stop);
                    continue;
                }

                Interlocked.Increment(ref _connections);
                var opened = Stopwatch.GetTimestamp();
                var cut = WatchAsync(socket);
                try
                {
                    await socket.SendAsync("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\n"u8.ToArray(), stop);
                    for (var line = 0; !stop.IsCancellationRequested && !cut.IsCompleted; line++)
                    {
                        await Task.WhenAny(cut, Task.Delay(interval, stop));
                        if (!cut.IsCompleted && !stop.IsCancellationRequested)
                        {
                            await socket.SendAsync(Encoding.ASCII.GetBytes($"X-Slow-{line}: {client}\r\n"), stop);
                        }
                    }
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    // Cut while sending, or the phase ended.
                }

                if (!stop.IsCancellationRequested)
                {
                    if (await cut)
                    {
                        Interlocked.Increment(ref _answered408);
                    }

                    Lifetimes.Add(Stopwatch.GetElapsedTime(opened).TotalSeconds);
                }
            }
        }

        /// <summary>Completes when the gateway closes the connection: true when it answered 408 first.</summary>
        private static async Task<bool> WatchAsync(Socket socket)
        {
            var buffer = new byte[1024];
            var seen = new StringBuilder();
            try
            {
                int read;
                while ((read = await socket.ReceiveAsync(buffer)) > 0)
                {
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Reset or closed by the benchmark.
            }

            return seen.ToString().StartsWith("HTTP/1.1 408", StringComparison.Ordinal);
        }

        private static async Task Delay(TimeSpan wait, CancellationToken stop)
        {
            try
            {
                await Task.Delay(wait, stop);
            }
            catch (OperationCanceledException)
            {
                // The phase ended.
            }
        }
    }
}
