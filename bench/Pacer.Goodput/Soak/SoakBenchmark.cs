using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pacer.Goodput.Hosting;
using Pacer.Goodput.Reporting;
using Pacer.Simulator;

namespace Pacer.Goodput.Soak;

/// <summary>
/// The soak (issue 15): one gateway process at the seed's highest settings in front of one simulator process that
/// injects 529s, connection resets, stalled and cut streams at random, driven by a closed loop of callers for the whole
/// duration. Every answer is classified (whole, a clean Anthropic error, or not), every whole reply is matched with the
/// simulator's record of it, the gateway's usage ledger is counted at the end, and the gateway's memory, GC heap,
/// threads and handles are sampled throughout.
/// </summary>
internal sealed class SoakBenchmark(SoakSettings settings, TextWriter output)
{
    private const string ApiKey = "sk-ant-soak-bench";
    private static readonly TimeSpan LedgerBound = TimeSpan.FromSeconds(30);

    public async Task<string> RunAsync()
    {
        await using var simulator = await SimulatorProcess.StartAsync(settings.SimulatorOptions());
        await using var gateway = await GatewayProcess.StartAsync(simulator.Address, SoakSettings.GatewaySettings());
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = gateway.Address, Timeout = settings.RequestBound };
        using var metrics = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(30) };
        var client = new SoakClient(http, ApiKey);
        var sampler = new ProcessSampler(gateway.Id, metrics);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Soak: {settings.Duration.TotalMinutes:0.#} min, {settings.Callers} callers in a closed loop, {settings.StreamShare:P0} streamed; gateway {gateway.Address} (pid {gateway.Id}) at {SoakSettings.RequestsPerMinute} RPM, {SoakSettings.Concurrency} concurrent, other settings default; simulator {simulator.Address} with faults {SoakSettings.FaultRates}"));
        output.WriteLine($"Load average at the start: {LoadAverage()}");

        var outcomes = new List<SoakOutcome>();
        var samples = new List<ProcessSample>();
        var loads = new List<string> { LoadAverage() };
        var completed = 0L;
        var clock = Stopwatch.StartNew();
        using var stopSampling = new CancellationTokenSource();
        var sampling = SampleAsync();
        var next = -1L;
        await Task.WhenAll(Enumerable.Range(0, settings.Callers).Select(c => CallerAsync(c)));
        var sendingTook = clock.Elapsed;
        await stopSampling.CancelAsync();
        await sampling;
        samples.Add(await sampler.SampleAsync(clock.Elapsed, Interlocked.Read(ref completed), CancellationToken.None));
        loads.Add(LoadAverage());

        var attempts = await simulator.AttemptsAsync();
        var rows = await LedgerRowsAsync(Path.Combine(gateway.Folder, "pacer.db"), outcomes.Count);
        var report = Report(outcomes, attempts, rows, samples, sendingTook, loads);
        output.WriteLine(report.Text);
        return report.JsonLine;

        async Task CallerAsync(int caller)
        {
            await Task.Yield();
            var random = new Random(settings.Seed * 1000 + caller);
            while (clock.Elapsed < settings.Duration)
            {
                var number = Interlocked.Increment(ref next);
                var outcome = await client.SendAsync(number, random.NextDouble() < settings.StreamShare, CancellationToken.None);
                lock (outcomes)
                {
                    outcomes.Add(outcome);
                }

                Interlocked.Increment(ref completed);
            }
        }

        async Task SampleAsync()
        {
            var progressEvery = TimeSpan.FromMinutes(1);
            var nextProgress = progressEvery;
            try
            {
                while (true)
                {
                    var sample = await sampler.SampleAsync(clock.Elapsed, Interlocked.Read(ref completed), stopSampling.Token);
                    samples.Add(sample);
                    if (clock.Elapsed >= nextProgress)
                    {
                        nextProgress += progressEvery;
                        loads.Add(LoadAverage());
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  {clock.Elapsed.TotalMinutes:0.0} min: {sample.Completed} done; working set {sample.WorkingSetBytes / 1048576.0:0.0} MiB, GC heap {(sample.GcHeapBytes ?? 0) / 1048576.0:0.0} MiB, {sample.Threads} threads, {sample.Handles} handles; load {loads[^1]}"));
                    }

                    await Task.Delay(settings.SampleInterval, stopSampling.Token);
                }
            }
            catch (OperationCanceledException) when (stopSampling.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Usage rows in the gateway's ledger, read from its SQLite file while it runs, waiting (bounded) until the expected count is committed.</summary>
    private static async Task<long> LedgerRowsAsync(string path, long expected)
    {
        var waited = Stopwatch.StartNew();
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        while (true)
        {
            long rows;
            await using (var connection = new SqliteConnection(builder.ToString()))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM usage_records";
                rows = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }

            if (rows >= expected || waited.Elapsed > LedgerBound)
            {
                return rows;
            }

            await Task.Delay(200);
        }
    }

    private (string Text, string JsonLine) Report(List<SoakOutcome> outcomes, IReadOnlyList<SimulatorAttempt> attempts, long ledgerRows, List<ProcessSample> samples, TimeSpan took, List<string> loads)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        var total = outcomes.Count;
        var successes = outcomes.Where(o => o.End == SoakEnd.Success).ToList();
        var clean = outcomes.Count(o => o.End is SoakEnd.ErrorStatus or SoakEnd.ErrorEvent);
        var truncated = outcomes.Count(o => o.End == SoakEnd.Truncated);
        var unclean = outcomes.Count(o => o.End == SoakEnd.Unclean);
        var byId = attempts.Where(a => a.RequestId.Length > 0).GroupBy(a => a.RequestId).ToDictionary(g => g.Key, g => g.Last());
        var unmatched = successes.Where(s => !(s.RequestId is { } id && byId.TryGetValue(id, out var a) && a.Outcome == "ok" && a.Stream == s.Stream && a.OutputTokens == s.OutputTokens)).ToList();
        var faults = attempts.GroupBy(a => a.Fault ?? "none").OrderByDescending(g => g.Count()).Select(g => string.Create(c, $"{g.Key} {g.Count()}"));

        text.AppendLine();
        text.AppendLine(string.Create(c, $"Sent {total} requests in {settings.Duration.TotalMinutes:0.#} min ({total / settings.Duration.TotalMinutes:0} per minute; the last answers came {(took - settings.Duration).TotalSeconds:0} s after sending stopped), {outcomes.Count(o => o.Stream)} streamed; upstream attempts {attempts.Count}: {string.Join(", ", faults)}"));
        var table = new MarkdownTable("how the request ended", "requests", "share");
        foreach (var group in outcomes.GroupBy(o => o.Label).OrderBy(g => g.First().End).ThenByDescending(g => g.Count()))
        {
            table.Add(group.Key, Format.Number(group.Count()), Format.Percent((double)group.Count() / total));
        }

        text.AppendLine(table.ToString());
        text.AppendLine(string.Create(c, $"Checks: delivered or a clean error {total - truncated - unclean} of {total} (unclean {unclean}, truncated passed off as success {truncated}); whole replies matching the simulator's record (request-id, outcome ok, output tokens) {successes.Count - unmatched.Count} of {successes.Count}; usage rows {ledgerRows} for {total} requests"));
        foreach (var example in unmatched.Take(5))
        {
            text.AppendLine($"  unmatched: {example}");
        }

        foreach (var example in outcomes.Where(o => o.End is SoakEnd.Unclean or SoakEnd.Truncated).GroupBy(o => o.Detail).Take(5))
        {
            text.AppendLine(string.Create(c, $"  {example.Count()} × {example.Key}"));
        }

        text.AppendLine();
        text.AppendLine(SoakCurve.Table(samples, settings.Window));
        var trends = SoakCurve.Trends(samples, settings.Window);
        foreach (var trend in trends)
        {
            text.AppendLine(trend.ToString());
        }

        text.AppendLine($"Load average (1, 5, 15 min) by minute: {string.Join("; ", loads)}");
        var json = JsonSerializer.Serialize(
            new
            {
                benchmark = "soak",
                minutes = took.TotalMinutes,
                requests = total,
                streamed = outcomes.Count(o => o.Stream),
                successes = successes.Count,
                cleanErrors = clean,
                truncated,
                unclean,
                unmatched = unmatched.Count,
                upstreamAttempts = attempts.Count,
                ledgerRows,
                outcomes = outcomes.GroupBy(o => o.Label).ToDictionary(g => g.Key, g => g.Count()),
                trends = trends.Select(t => new { t.Name, t.Mean, t.SlopePer10Minutes, t.Drift, t.Allowance, t.Flat }),
                samples = samples.Select(s => new { seconds = s.At.TotalSeconds, s.WorkingSetBytes, s.GcHeapBytes, s.Threads, s.Handles, s.Completed }),
                loads,
            },
            JsonLine.Options);
        return (text.ToString(), json);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
