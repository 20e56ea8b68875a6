using System.Globalization;
using System.Text;
using System.Text.Json;
using Pacer.Goodput.Hosting;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Reporting;

namespace Pacer.Goodput.Overhead;

/// <summary>
/// The gateway's cost: the same load against the simulator (zero latency) called directly, through a bare YARP
/// forwarder, and through Pacer's gateway, each a process of its own on loopback.
/// </summary>
internal sealed class OverheadBenchmark(OverheadSettings settings, TextWriter output)
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Say one short line about pacing requests so that no limit is passed."}]}""");

    public async Task<IReadOnlyList<string>> RunAsync()
    {
        await using var simulator = await ChildProcess.StartAsync(BuildOutputs.Simulator, settings.SimulatorArguments, new Dictionary<string, string>());
        await using var forwarder = await ChildProcess.StartAsync(BuildOutputs.Harness, ["forwarder", "--upstream", simulator.Address.ToString()], new Dictionary<string, string>());
        output.WriteLine($"Simulator {simulator.Address} (zero latency), forwarder {forwarder.Address}; gateway settings: {string.Join(", ", settings.GatewaySettings.Select(s => s.Key + "=" + s.Value))}");

        // One gateway for both phases, warm by the saturated phase as the forwarder is: a fresh process spends its first
        // seconds compiling (tiered JIT), which would be measured as the proxy path's cost.
        var paced = new Dictionary<string, List<Segment>>(StringComparer.Ordinal);
        var saturated = new Dictionary<string, Segment>(StringComparer.Ordinal);
        var loaded = new Dictionary<string, Segment>(StringComparer.Ordinal);
        await using (var gateway = await GatewayProcess.StartAsync(simulator.Address, settings.GatewaySettings))
        {
            var targets = Targets(simulator, forwarder, gateway);
            for (var round = 0; round < settings.Rounds; round++)
            {
                foreach (var target in targets)
                {
                    var segment = await MeasureAsync(target, settings.Paced);
                    (paced.TryGetValue(target.Name, out var list) ? list : paced[target.Name] = []).Add(segment);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   paced round {round + 1} {target.Name}: {segment.Load.LatenciesMs.Count} ok, {segment.Load.Errors} errors"));
                }
            }

            foreach (var target in targets)
            {
                loaded[target.Name] = await MeasureAsync(target, settings.Loaded);
            }

            foreach (var target in targets)
            {
                saturated[target.Name] = await MeasureAsync(target, settings.Saturated);
            }
        }

        var rows = paced.Select(p => Row("paced", p.Key, Segment.Combine(p.Value), settings.Paced))
            .Concat(loaded.Select(s => Row("loaded", s.Key, s.Value, settings.Loaded)))
            .Concat(saturated.Select(s => Row("saturated", s.Key, s.Value, settings.Saturated)))
            .ToList();
        output.WriteLine();
        output.WriteLine(Table(rows));
        output.WriteLine(Summary(rows));
        return [.. rows.Select(r => JsonSerializer.Serialize(r, JsonLine.Options))];
    }

    internal static string Summary(IReadOnlyList<OverheadRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var c = CultureInfo.InvariantCulture;
        OverheadRow Find(string phase, string target) => rows.Single(r => r.Phase == phase && r.Target == target);
        var direct = Find("paced", "direct");
        var forwarder = Find("paced", "forwarder");
        var gateway = Find("paced", "gateway");
        var text = new StringBuilder();
        var addedP50 = gateway.P50Ms - forwarder.P50Ms;
        var addedP99 = gateway.P99Ms - forwarder.P99Ms;
        text.AppendLine(string.Create(c, $"Added latency, paced load: gateway p50 +{gateway.P50Ms - direct.P50Ms:0.000} ms, p99 +{gateway.P99Ms - direct.P99Ms:0.000} ms over direct; forwarder p50 +{forwarder.P50Ms - direct.P50Ms:0.000} ms, p99 +{forwarder.P99Ms - direct.P99Ms:0.000} ms"));
        text.AppendLine(string.Create(c, $"Gateway over the forwarder: p50 {addedP50:+0.000;-0.000} ms (target ≤ 0.3 ms: {Verdict(addedP50 <= 0.3)}), p99 {addedP99:+0.000;-0.000} ms (target ≤ 1 ms: {Verdict(addedP99 <= 1)})"));
        text.AppendLine(string.Create(c, $"CPU per request, paced: gateway {gateway.ServerCpuMicroseconds:0} µs, forwarder {forwarder.ServerCpuMicroseconds:0} µs ({forwarder.ServerCpuMicroseconds / gateway.ServerCpuMicroseconds:0.00}× the forwarder's capacity per core)"));
        var lg = Find("loaded", "gateway");
        var lf = Find("loaded", "forwarder");
        var capacity = lf.ServerCpuMicroseconds / lg.ServerCpuMicroseconds;
        text.AppendLine(string.Create(c, $"CPU per request at {lg.Throughput:0}/s: gateway {lg.ServerCpuMicroseconds:0} µs, forwarder {lf.ServerCpuMicroseconds:0} µs: capacity per core {capacity:0.00}× the forwarder's (target ≥ 0.9×: {Verdict(capacity >= 0.9)})"));
        var sg = Find("saturated", "gateway");
        var sf = Find("saturated", "forwarder");
        text.AppendLine(string.Create(c, $"Saturated: gateway {sg.Throughput:0}/s (its speed: MaxRequestsPerMinute is 100,000 in any sliding 60 s and the pacing bursts to the simulator's huge requests bucket, so nothing holds it to 1,667/s) at {sg.ServerCpuMicroseconds:0} µs CPU per request; forwarder {sf.Throughput:0}/s at {sf.ServerCpuMicroseconds:0} µs"));
        return text.ToString();
    }

    internal static string Table(IEnumerable<OverheadRow> rows)
    {
        var table = new MarkdownTable("phase", "target", "requests", "errors", "throughput", "p50", "p99", "server CPU per request");
        foreach (var r in rows)
        {
            table.Add(r.Phase, r.Target, Format.Number(r.Requests), Format.Number(r.Errors), Format.Number(r.Throughput, 1) + " /s",
                Format.Number(r.P50Ms, 3) + " ms", Format.Number(r.P99Ms, 3) + " ms", Format.Number(r.ServerCpuMicroseconds) + " µs");
        }

        return table.ToString();
    }

    private static string Verdict(bool met) => met ? "met" : "missed";

    private static OverheadRow Row(string phase, string target, Segment segment, LoadShape shape)
    {
        var latency = LatencySummary.Of(segment.Load.LatenciesMs);
        return new OverheadRow(phase, target, shape.Connections, shape.RatePerSecond, latency.Count, segment.Load.Errors, segment.Load.Throughput,
            latency.P50, latency.P99, latency.Count == 0 ? double.NaN : segment.ServerCpu.TotalMicroseconds / latency.Count);
    }

    private static IReadOnlyList<Target> Targets(ChildProcess simulator, ChildProcess forwarder, ChildProcess gateway) =>
    [
        new("direct", simulator.Address, [simulator]),
        new("forwarder", forwarder.Address, [forwarder]),
        new("gateway", gateway.Address, [gateway]),
    ];

    /// <summary>Warms the target up under the same load (unmeasured), then measures the load and the CPU its own process spends meanwhile.</summary>
    private static async Task<Segment> MeasureAsync(Target target, LoadShape shape)
    {
        await LoadGenerator.RunAsync(target.Address, Body, shape with { Warmup = TimeSpan.Zero, Duration = shape.Warmup });
        var before = target.Servers.Sum(s => s.CpuTime.Ticks);
        var load = await LoadGenerator.RunAsync(target.Address, Body, shape with { Warmup = TimeSpan.Zero });
        var after = target.Servers.Sum(s => s.CpuTime.Ticks);
        return new Segment(load, TimeSpan.FromTicks(after - before));
    }

    private sealed record Target(string Name, Uri Address, IReadOnlyList<ChildProcess> Servers);

    private sealed record Segment(LoadResult Load, TimeSpan ServerCpu)
    {
        public static Segment Combine(IReadOnlyList<Segment> segments) => new(
            new LoadResult([.. segments.SelectMany(s => s.Load.LatenciesMs)], segments.Sum(s => s.Load.Errors), segments.Aggregate(TimeSpan.Zero, (t, s) => t + s.Load.Window)),
            segments.Aggregate(TimeSpan.Zero, (t, s) => t + s.ServerCpu));
    }
}

/// <summary>One target under one load: requests, errors, throughput, latency, and the CPU its own process spent per request (µs).</summary>
internal sealed record OverheadRow(string Phase, string Target, int Connections, double? RatePerSecond, int Requests, int Errors, double Throughput, double P50Ms, double P99Ms, double ServerCpuMicroseconds);
