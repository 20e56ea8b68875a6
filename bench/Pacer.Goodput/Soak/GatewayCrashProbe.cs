using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pacer.Goodput.Hosting;
using Pacer.Goodput.Reporting;
using Pacer.Simulator.Options;

namespace Pacer.Goodput.Soak;

/// <summary>What a crash of the gateway costs its usage ledger: the runs' settings.</summary>
internal sealed record CrashProbeSettings(int Rate = 1000, double Seconds = 5, int Runs = 5);

/// <summary>
/// Issue 15, "Crashes", measured through the gateway: requests arrive at a fixed rate (an open loop, each answered by a
/// simulator without latency), the gateway process is killed with SIGKILL after a while, and its SQLite file is read:
/// which answers that reached their caller before the kill are missing from the usage ledger, and how long before
/// the kill the oldest of them completed. The gateway runs as users run it, with the extended ranges so that it may
/// pass 1,000 requests a second.
/// </summary>
internal sealed class GatewayCrashProbe(CrashProbeSettings settings, TextWriter output)
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"claude-sonnet-4-5","max_tokens":20,"messages":[{"role":"user","content":"Hello"}]}""");
    private static readonly TimeSpan InFlightBound = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<string>> RunAsync()
    {
        var simulatorOptions = new SimulatorOptions
        {
            Limits = new LimitOptions { RequestsPerMinute = 100_000_000, InputTokensPerMinute = 100_000_000, OutputTokensPerMinute = 100_000_000, BurstSeconds = 60 },
            Latency = new LatencyOptions { Enabled = false },
            Output = new OutputOptions { MeanTokens = 20 },
        };
        await using var simulator = await SimulatorProcess.StartAsync(simulatorOptions);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Gateway crash probe: {settings.Rate} requests/s (open loop) through one gateway process, SIGKILL after {settings.Seconds} s, {settings.Runs} runs; load average {LoadAverage()}"));
        var table = new MarkdownTable("run", "answers before the kill", "answered in its last second", "not in the ledger", "of them older than 100 ms", "oldest missing (ms before the kill)", "integrity_check", "load average");
        var lines = new List<string>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            var result = await RunOnceAsync(simulator.Address);
            table.Add(
                Format.Number(run),
                Format.Number(result.Answered),
                Format.Number(result.LastSecond),
                Format.Number(result.Missing),
                Format.Number(result.MissingOlderThan100Ms),
                result.Missing == 0 ? "-" : Format.Number(result.OldestMissingMs, 1),
                result.Integrity,
                result.Load);
            output.WriteLine(JsonSerializer.Serialize(result, JsonLine.Options));
            lines.Add(JsonSerializer.Serialize(result, JsonLine.Options));
        }

        output.WriteLine();
        output.WriteLine(table.ToString());
        return lines;
    }

    private async Task<CrashResult> RunOnceAsync(Uri upstream)
    {
        var environment = new Dictionary<string, string>
        {
            ["PACER_EXTENDED_RANGES"] = "true",
            ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "100000",
            ["ANTHROPIC_CONCURRENT_REQUESTS"] = "1000",
        };
        await using var gateway = await GatewayProcess.StartAsync(upstream, environment);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var http = new HttpClient(handler) { BaseAddress = gateway.Address, Timeout = InFlightBound };
        var answers = new ConcurrentBag<(string RequestId, long CompletedAt)>();
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(settings.Seconds);
        var sent = 0L;
        while (clock.Elapsed < duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * settings.Rate);
            for (; sent < due; sent++)
            {
                inFlight.Add(SendAsync(http, answers));
            }

            await Task.Delay(1);
        }

        var killedAt = Stopwatch.GetTimestamp();
        await gateway.KillAsync();
        var load = LoadAverage();
        await Task.WhenAll(inFlight).WaitAsync(InFlightBound);

        var path = Path.Combine(gateway.Folder, "pacer.db");
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false };
        string integrity;
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using (var connection = new SqliteConnection(builder.ToString()))
        {
            await connection.OpenAsync();
            await using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA integrity_check";
                integrity = (string)(await check.ExecuteScalarAsync())!;
            }

            await using var ids = connection.CreateCommand();
            ids.CommandText = "SELECT request_id FROM usage_records WHERE request_id IS NOT NULL";
            await using var reader = await ids.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                recorded.Add(reader.GetString(0));
            }
        }

        var before = answers.Where(a => a.CompletedAt <= killedAt).ToList();
        var missingAges = before.Where(a => !recorded.Contains(a.RequestId)).Select(a => Stopwatch.GetElapsedTime(a.CompletedAt, killedAt).TotalMilliseconds).ToList();
        return new CrashResult(
            settings.Rate,
            before.Count,
            before.Count(a => Stopwatch.GetElapsedTime(a.CompletedAt, killedAt) <= TimeSpan.FromSeconds(1)),
            recorded.Count,
            missingAges.Count,
            missingAges.Count(age => age > 100),
            missingAges.DefaultIfEmpty(0).Max(),
            integrity,
            load);
    }

    private static async Task SendAsync(HttpClient http, ConcurrentBag<(string, long)> answers)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages") { Content = new ByteArrayContent(Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("x-api-key", "sk-ant-crash-probe");
            request.Headers.Add("anthropic-version", "2023-06-01");
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            var completedAt = Stopwatch.GetTimestamp();
            if (response.IsSuccessStatusCode && response.Headers.TryGetValues("request-id", out var ids) && ids.FirstOrDefault() is { } id)
            {
                answers.Add((id, completedAt));
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            // In flight at the kill: its caller never had an answer.
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private sealed record CrashResult(int Rate, int Answered, int LastSecond, int Recorded, int Missing, int MissingOlderThan100Ms, double OldestMissingMs, string Integrity, string Load, string Benchmark = "gateway-crash");
}
