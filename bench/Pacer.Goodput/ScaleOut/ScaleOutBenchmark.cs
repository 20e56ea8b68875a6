using System.Diagnostics;
using System.Globalization;
using Pacer.Goodput.Hosting;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Reporting;
using Pacer.Goodput.Workloads;

namespace Pacer.Goodput.ScaleOut;

/// <summary>
/// Several gateways spending one account (issue 11): one simulator process with the account's limits, one
/// <c>redis-server</c>, and the same workload, its callers spread evenly over the gateways, through A. three gateways
/// sharing their limits on Redis, B. three on in-memory stores (each believes it has the whole account), C. one gateway
/// alone, and D. A again with one gateway killed by SIGKILL mid-run.
/// </summary>
internal sealed class ScaleOutBenchmark(ScaleOutSettings settings, TextWriter output)
{
    private const string ApiKey = "sk-ant-bench-scale-out";

    public async Task<IReadOnlyList<ScaleOutResult>> RunAsync()
    {
        var goodput = settings.Goodput;
        var items = WorkloadGenerator.Generate(goodput.Workload);
        var demand = await DemandCalibration.MeasureAsync(items, goodput.UnlimitedSimulatorOptions());
        // The account lets at most Concurrency requests run at once, so the callers' work is spread over that many at most.
        var ideal = IdealMakespan.Compute(demand, goodput.Limits, goodput.Latency, Math.Min(goodput.Workload.Callers, settings.Concurrency));

        await using var redis = await RedisProcess.StartAsync();
        await using var simulator = await SimulatorProcess.StartAsync(goodput.SimulatorOptions());
        Describe(items, ideal, redis, simulator);

        Configuration[] configurations =
        [
            new("A. shared on Redis", settings.Gateways, Shared: true, Kill: false),
            new("B. in-memory each", settings.Gateways, Shared: false, Kill: false),
            new("C. one gateway", 1, Shared: false, Kill: false),
            new("D. A, one killed", settings.Gateways, Shared: true, Kill: true),
        ];
        var results = new List<ScaleOutResult>();
        foreach (var configuration in configurations)
        {
            output.WriteLine($"-- {configuration.Name}: {configuration.Gateways} gateway(s){(configuration.Shared ? " on one Redis" : string.Empty)}{(configuration.Kill ? ", the last killed with SIGKILL mid-run" : string.Empty)}");
            var result = await RunOneAsync(configuration, items, ideal, redis, simulator);
            output.WriteLine(result.ToJsonLine());
            results.Add(result);
        }

        output.WriteLine();
        output.WriteLine(Table(results));
        foreach (var killed in results.Where(r => r.KillAtSeconds is not null))
        {
            output.WriteLine(KillSummary(killed, settings.Lease));
        }

        return results;
    }

    internal static string Table(IEnumerable<ScaleOutResult> results)
    {
        var table = new MarkdownTable("configuration", "gateways", "makespan", "÷ ideal", "requests meeting a 429", "429s upstream", "failed", "lost with the killed gateway", "max in flight / limit", "targets");
        foreach (var r in results)
        {
            table.Add(
                r.Configuration,
                Format.Number(r.Gateways),
                Format.Number(r.MakespanSeconds, 1) + " s",
                Format.Ratio(r.MakespanRatio),
                $"{Format.Number(r.RequestsMeeting429)} ({Format.Percent(r.ShareMeeting429)})",
                Format.Number(r.Upstream429),
                Format.Number(r.Failed),
                r.KillAtSeconds is null ? "-" : Format.Number(r.LostWithKilledGateway),
                $"{Format.Number(r.MaxInFlight)} / {Format.Number(r.ConcurrencyLimit)}",
                r.MeetsTargets ? "met" : "missed");
        }

        return table.ToString();
    }

    internal static string KillSummary(ScaleOutResult result, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var leases = result.Kill is { } k
            ? string.Create(c, $"it held {k.HeldAtKill} concurrency lease(s) on Redis; the last of them expired {k.LastExpirySeconds:0.00} s after the kill, and the harness saw none live {k.SeenFreeSeconds:0.00} s after it (sampled every 0.1 s; lease time {lease.TotalSeconds:0} s)")
            : "its leases could not be read on Redis (its heartbeat was renewed after the kill)";
        return string.Create(c, $"{result.Configuration}: one gateway killed with SIGKILL {result.KillAtSeconds:0.0} s into the run; {leases}. Requests lost with it (in flight there, failed at their callers): {result.LostWithKilledGateway}; requests through the other gateways that failed: {result.Failed}.");
    }

    private async Task<ScaleOutResult> RunOneAsync(Configuration configuration, IReadOnlyList<WorkItem> items, IdealBreakdown ideal, RedisProcess redis, SimulatorProcess simulator)
    {
        await simulator.ResetAsync();
        var prefix = "bench-" + Guid.NewGuid().ToString("N")[..12];
        // On Redis, each gateway's limiter id (its lease owner) is learned from its first heartbeat, before the next starts.
        var owners = new List<string>();
        var database = redis.Connection.GetDatabase();
        await using var routes = await GatewayRoutes.StartAsync(
            simulator.Address,
            configuration.Gateways,
            GatewaySettings(configuration.Shared ? redis.Url : null, prefix),
            ApiKey,
            async _ =>
            {
                if (configuration.Shared)
                {
                    owners.Add(await LeaseWatch.NewOwnerAsync(database, prefix, owners, (settings.Lease / 3) + TimeSpan.FromSeconds(10)));
                }
            });
        var killed = configuration.Kill ? routes.Count - 1 : -1;
        var clock = Stopwatch.StartNew();
        var kill = configuration.Kill ? KillMidRunAsync(routes, killed, owners[killed], clock, ideal.Ideal * settings.KillAt, database, prefix) : null;
        var run = await WorkloadRunner.RunAsync(items, settings.Goodput.Workload.Callers, routes.For, (ideal.Ideal * 5) + TimeSpan.FromMinutes(2));
        var (killAt, leases) = kill is null ? (null, null) : await kill;
        var attempts = await simulator.AttemptsAsync();
        return ScaleOutResult.From(configuration.Name, configuration.Gateways, run, attempts, ideal, settings.Concurrency, index => routes.GatewayOf(index) == killed)
            with { KillAtSeconds = killAt, Kill = leases };
    }

    private async Task<(double? At, LeaseReturn? Leases)> KillMidRunAsync(GatewayRoutes routes, int gateway, string owner, Stopwatch clock, TimeSpan at, StackExchange.Redis.IDatabase redis, string prefix)
    {
        await Task.Delay(at);
        // Killed while it holds concurrency on Redis (bounded wait), so that the figure is the return of real leases.
        await LeaseWatch.HoldingAsync(redis, prefix, owner, TimeSpan.FromSeconds(10));
        var killAt = clock.Elapsed.TotalSeconds;
        await routes.KillAsync(gateway);
        // Long enough for the dead one's leases to expire (at most one lease time after its last renewal).
        var samples = await LeaseWatch.FollowAsync(redis, prefix, settings.Lease + TimeSpan.FromSeconds(2));
        return (killAt, LeaseWatch.Analyse(samples, owner));
    }

    /// <summary>The gateway as users run it (the goodput benchmark's system 5: learning the upstream's limits from its headers), with the account's concurrency, and on Redis when a URL is given.</summary>
    private Dictionary<string, string> GatewaySettings(string? redisUrl, string prefix)
    {
        var environment = new Dictionary<string, string>
        {
            ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "1000",
            ["ANTHROPIC_CONCURRENT_REQUESTS"] = settings.Concurrency.ToString(CultureInfo.InvariantCulture),
            ["PACER_LEARN_LIMITS"] = "true",
        };
        if (redisUrl is not null)
        {
            environment["PACER_REDIS_URL"] = redisUrl;
            environment["PACER_REDIS_PREFIX"] = prefix;
            if (settings.LeaseSeconds is { } lease)
            {
                environment["PACER_REDIS_LEASE_SECONDS"] = lease.ToString(CultureInfo.InvariantCulture);
            }
        }

        return environment;
    }

    private void Describe(IReadOnlyList<WorkItem> items, IdealBreakdown ideal, RedisProcess redis, SimulatorProcess simulator)
    {
        var g = settings.Goodput;
        var l = g.Limits;
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"Upstream: one simulator process ({simulator.Address}), one key: {l.RequestsPerMinute} RPM, {l.InputTokensPerMinute} input and {l.OutputTokensPerMinute} output tokens per minute, burst {l.BurstSeconds} s of refill, output accounting {g.OutputAccounting}"));
        output.WriteLine(string.Create(c, $"Latency model: {g.Latency.TimeToFirstToken.TotalMilliseconds} ms to first token, {g.Latency.TokensPerSecond} tokens/s, jitter ±{g.LatencyJitter:P0}; replies: mean {g.MeanOutputTokens} tokens"));
        output.WriteLine(string.Create(c, $"Gateways: ANTHROPIC_CONCURRENT_REQUESTS={settings.Concurrency}, ANTHROPIC_RATE_LIMIT_PER_MINUTE=1000, PACER_LEARN_LIMITS=true; shared ones on {redis.Url}, a fresh PACER_REDIS_PREFIX each, lease {settings.Lease.TotalSeconds:0} s{(settings.LeaseSeconds is null ? " (default)" : string.Empty)}"));
        output.WriteLine(string.Create(c, $"Workload: {items.Count} requests from {g.Workload.Callers} callers (seed {g.Workload.Seed}), caller c on gateway c mod n; {ideal.TotalInputTokens} input tokens, {ideal.TotalOutputTokens} output tokens"));
        output.WriteLine(string.Create(c, $"Ideal makespan {Format.Seconds(ideal.Ideal)} ({ideal.Binding} binding): requests {Format.Seconds(ideal.Requests)}, input {Format.Seconds(ideal.InputTokens)}, output {Format.Seconds(ideal.OutputTokens)}, + mean service {Format.Seconds(ideal.MeanServiceTime)}; concurrency bound (service time / {Math.Min(g.Workload.Callers, settings.Concurrency)}) {Format.Seconds(ideal.Concurrency)}; longest request {Format.Seconds(ideal.LongestRequest)}"));
        output.WriteLine();
    }

    private sealed record Configuration(string Name, int Gateways, bool Shared, bool Kill);
}
