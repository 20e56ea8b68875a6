using Pacer.Simulator.Options;
using System.Globalization;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Reporting;
using Pacer.Goodput.Workloads;
using Pacer.Simulator;

namespace Pacer.Goodput.Systems;

/// <summary>
/// The goodput benchmark: one seeded workload pushed through each system in turn, each against a fresh simulator
/// (full buckets) and its own API key, measured against the ideal makespan the limits allow.
/// </summary>
internal sealed class GoodputBenchmark(GoodputSettings settings, TextWriter output)
{
    /// <summary>Gets the ideal of the last run, once <see cref="RunAsync"/> has computed it.</summary>
    public IdealBreakdown? Ideal { get; private set; }

    public async Task<IReadOnlyList<GoodputResult>> RunAsync()
    {
        var items = WorkloadGenerator.Generate(settings.Workload);
        var demand = await DemandCalibration.MeasureAsync(items, settings.UnlimitedSimulatorOptions());
        var ideal = IdealMakespan.Compute(demand, settings.Limits, settings.Latency, settings.Workload.Callers);
        ideal = ideal with { Replayed = Replay(items, demand, serviceTimes: null) };

        Describe(items, ideal);
        Ideal = ideal;

        var results = new List<GoodputResult>();
        foreach (var system in SystemCatalog.All.Where(s => settings.Systems.Contains(s.Number)))
        {
            output.WriteLine($"-- {system.Number}. {system.Name}: {system.Description}");
            var result = await RunOneAsync(system, items, demand, ideal);
            output.WriteLine(result.ToJsonLine());
            results.Add(result);
        }

        output.WriteLine();
        output.WriteLine(Table(results));
        return results;
    }

    internal static string Table(IEnumerable<GoodputResult> results)
    {
        var table = new MarkdownTable("#", "system", "makespan", "÷ ideal", "429s upstream", "requests meeting a 429", "failed", "attempts", "p50", "p99", "targets (4, 5)");
        foreach (var r in results)
        {
            table.Add(
                r.Number.ToString(CultureInfo.InvariantCulture),
                r.System,
                Format.Number(r.MakespanSeconds, 1) + " s",
                Format.Ratio(r.MakespanRatio),
                Format.Number(r.Upstream429),
                $"{Format.Number(r.RequestsMeeting429)} ({Format.Percent(r.ShareMeeting429)})",
                Format.Number(r.Failed),
                Format.Number(r.Attempts),
                Format.Milliseconds(r.P50Ms),
                Format.Milliseconds(r.P99Ms),
                r.Number >= 4 ? (r.MeetsTargets ? "met" : "MISSED") : "-");
        }

        return table.ToString();
    }

    /// <summary>The workload replayed against the upstream's buckets, at the latency model's means or at the given service times.</summary>
    private TimeSpan Replay(IReadOnlyList<WorkItem> items, IReadOnlyList<RequestDemand> demand, IReadOnlyList<TimeSpan>? serviceTimes) =>
        BucketReplay.Makespan(demand, [.. items.Select(i => i.MaxTokens)], settings.Limits, settings.Latency, settings.Workload.Callers, settings.OutputAccounting == OutputAccounting.Reserve, serviceTimes);

    private async Task<GoodputResult> RunOneAsync(SystemUnderTest system, IReadOnlyList<WorkItem> items, IReadOnlyList<RequestDemand> demand, IdealBreakdown ideal)
    {
        await using var simulator = await SimulatorHost.StartAsync(settings.SimulatorOptions());
        var key = "sk-ant-bench-" + system.Name;
        var sender = await system.StartAsync(simulator.BaseAddress, key, settings);
        RunRecord run;
        await using (sender)
        {
            run = await WorkloadRunner.RunAsync(items, settings.Workload.Callers, sender, (ideal.Ideal * 5) + TimeSpan.FromMinutes(2));
            if (sender is SdkSender { Probe: { } probe })
            {
                output.WriteLine(probe.Describe());
                var seen = simulator.Attempts();
                output.WriteLine(probe.DescribeInputGap(times => BucketTimeline.LevelsAt(seen, InputCapacity, InputRefill, times)));
                output.WriteLine(EstimateErrors(probe.Limiter.Estimator, items, seen));
                if (settings.OutputAccounting == OutputAccounting.Reserve)
                {
                    output.WriteLine(probe.DescribeGap("Output (reserve accounting)", b => b.OutputTokens.Remaining, times => OutputLevelsAt(seen, items, times)));
                }
                var arrivals = seen.Where(a => a.Path == "/v1/messages").Select(a => a.ArrivedAt).Order().ToList();
                var pauses = arrivals.Skip(1).Select((at, i) => (From: arrivals[i], To: at)).Where(p => p.To - p.From > TimeSpan.FromMilliseconds(700)).ToList();
                if (pauses.Count > 0)
                {
                    output.WriteLine(probe.DescribePauses(pauses, arrivals[0]));
                }
            }
        }

        var attempts = simulator.Attempts();
        var timeline = BucketTimeline.Of(attempts, InputCapacity, InputRefill);
        output.WriteLine(timeline.Describe(ideal.InputTokens.TotalSeconds, ideal.MeanServiceTime.TotalSeconds));
        if (settings.OutputAccounting == OutputAccounting.Actual)
        {
            var limits = settings.Limits;
            var outputTimeline = BucketTimeline.OfOutput(attempts, Math.Max(1, limits.OutputTokensPerMinute * limits.BurstSeconds / 60.0), limits.OutputTokensPerMinute / 60.0);
            output.WriteLine(outputTimeline.Describe(ideal.OutputTokens.TotalSeconds, ideal.MeanServiceTime.TotalSeconds));
        }
        var refused = attempts.Where(a => a.Path == "/v1/messages" && a.Status == 429).OrderBy(a => a.ArrivedAt).ToList();
        if (refused.Count > 0)
        {
            var start = attempts.Where(a => a.Path == "/v1/messages").Min(a => a.ArrivedAt);
            var levels = BucketTimeline.LevelsAt(attempts, InputCapacity, InputRefill, refused.Select(a => a.ArrivedAt).ToList());
            output.WriteLine("   429s (at s: limit, input asked / upstream input level): " + string.Join("; ", refused.Select((a, i) =>
                string.Create(CultureInfo.InvariantCulture, $"{(a.ArrivedAt - start).TotalSeconds:0.0}: {a.LimitHit}, {a.InputTokens} / {levels[i]:0}"))));
            if (settings.OutputAccounting == OutputAccounting.Reserve && refused.Any(a => a.LimitHit == "output_tokens"))
            {
                output.WriteLine(OutputRefusals(attempts, items, refused.Where(a => a.LimitHit == "output_tokens").ToList(), start, (sender as SdkSender)?.Probe));
            }
        }
        // The run's own ideal: the same replay with the service times this upstream drew (its latency jitter), which no
        // client could have shortened; the ratio is taken against it.
        var runIdeal = ideal with { Replayed = Replay(items, demand, DrawnServiceTimes.Of(attempts, demand, settings.Latency)) };
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   Ideal of this run {Format.Seconds(runIdeal.Ideal)} ({runIdeal.Binding} binding; replayed with the service times the upstream drew {Format.Seconds(runIdeal.Replayed!.Value)}, at the latency model's means {Format.Seconds(ideal.Replayed!.Value)})"));
        return GoodputResult.From(system, run, attempts, runIdeal) with { WorkloadIdealSeconds = ideal.Ideal.TotalSeconds };
    }

    // Under "reserve max_tokens" accounting: the upstream's output bucket replayed from the attempts (max_tokens taken on
    // arrival, the unused part given back at the end) at each of the times, in order.
    private List<double> OutputLevelsAt(IReadOnlyList<SimulatorAttempt> attempts, IReadOnlyList<WorkItem> items, IReadOnlyList<DateTimeOffset> times)
    {
        var maxTokens = items.ToDictionary(i => i.Tag, i => i.MaxTokens);
        int MaxOf(SimulatorAttempt a) => a.Headers.TryGetValue(RequestTag.HeaderName, out var tag) && maxTokens.TryGetValue(tag, out var m) ? m : 0;
        var capacity = Math.Max(1, settings.Limits.OutputTokensPerMinute * settings.Limits.BurstSeconds / 60.0);
        var refill = settings.Limits.OutputTokensPerMinute / 60.0;
        var events = attempts.Where(a => a.Path == "/v1/messages" && a.Status == 200)
            .SelectMany(a => new[] { (At: a.ArrivedAt, Delta: -(double)MaxOf(a)), (At: a.CompletedAt ?? a.ArrivedAt, Delta: MaxOf(a) - (double)a.OutputTokens) })
            .OrderBy(e => e.At).ToList();
        var levels = new List<double>(times.Count);
        double level = capacity;
        DateTimeOffset? last = null;
        var next = 0;
        foreach (var time in times)
        {
            for (; next < events.Count && events[next].At <= time; next++)
            {
                level = (last is null ? level : Math.Min(capacity, level + ((events[next].At - last.Value).TotalSeconds * refill))) + events[next].Delta;
                last = events[next].At;
            }

            levels.Add(last is null ? level : Math.Min(capacity, level + ((time - last.Value).TotalSeconds * refill)));
        }

        return levels;
    }

    // At each output refusal under "reserve max_tokens" accounting: the upstream's level replayed against the max_tokens
    // it asked, the answers that ended around it, and the limiter's view just before.
    private string OutputRefusals(IReadOnlyList<SimulatorAttempt> attempts, IReadOnlyList<WorkItem> items, IReadOnlyList<SimulatorAttempt> refusals, DateTimeOffset start, LimiterProbe? probe)
    {
        var maxTokens = items.ToDictionary(i => i.Tag, i => i.MaxTokens);
        int MaxOf(SimulatorAttempt a) => a.Headers.TryGetValue(RequestTag.HeaderName, out var tag) && maxTokens.TryGetValue(tag, out var m) ? m : 0;
        var levels = OutputLevelsAt(attempts, items, refusals.Select(r => r.ArrivedAt).ToList());
        var answered = attempts.Where(a => a.Path == "/v1/messages" && a.Status == 200 && a.CompletedAt is not null).ToList();
        var c = CultureInfo.InvariantCulture;
        var described = refusals.Select((r, i) =>
        {
            var lastEnd = answered.Where(a => a.CompletedAt <= r.ArrivedAt).MaxBy(a => a.CompletedAt);
            var nextEnd = answered.Where(a => a.CompletedAt > r.ArrivedAt).MinBy(a => a.CompletedAt);
            var around = string.Create(c, $"last answer ended {(lastEnd is null ? double.NaN : (r.ArrivedAt - lastEnd.CompletedAt!.Value).TotalMilliseconds):0.0} ms before (gave back {(lastEnd is null ? 0 : MaxOf(lastEnd) - lastEnd.OutputTokens)}), next {(nextEnd is null ? double.NaN : (nextEnd.CompletedAt!.Value - r.ArrivedAt).TotalMilliseconds):0.0} ms after (gives back {(nextEnd is null ? 0 : MaxOf(nextEnd) - nextEnd.OutputTokens)})");
            return string.Create(c, $"{(r.ArrivedAt - start).TotalSeconds:0.0}: asked {MaxOf(r)}, level {levels[i]:0}, {around}; {probe?.ViewBefore(r.ArrivedAt)}");
        });
        return "   output 429s (at s: max_tokens asked, upstream output level replayed): " + string.Join("; ", described);
    }

    // The input estimator's error once calibrated by the run: estimated − counted by the upstream, over the requests it answered.
    private static string EstimateErrors(Pacer.Limiting.InputTokenEstimator estimator, IReadOnlyList<WorkItem> items, IReadOnlyList<SimulatorAttempt> attempts)
    {
        var counted = attempts.Where(a => a.Path == "/v1/messages" && a.Status == 200 && a.Headers.ContainsKey(RequestTag.HeaderName))
            .GroupBy(a => a.Headers[RequestTag.HeaderName]).ToDictionary(g => g.Key, g => g.First().InputTokens);
        var errors = items.Where(i => counted.ContainsKey(i.Tag)).Select(i =>
        {
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { model = WorkItem.Model, max_tokens = i.MaxTokens, messages = new[] { new { role = "user", content = i.Prompt } } });
            var actual = counted[i.Tag];
            return (Actual: actual, Error: estimator.Estimate(WorkItem.Model, body).Tokens - actual);
        }).ToList();
        var large = errors.Where(e => e.Actual >= 500).ToList();
        var c = CultureInfo.InvariantCulture;
        return string.Create(c, $"   Input estimate (calibrated, after the run) − upstream's count: mean {errors.Average(e => e.Error):0.0}, min {errors.Min(e => e.Error)}, max {errors.Max(e => e.Error)} tokens; prompts ≥ 500 tokens: mean {large.DefaultIfEmpty().Average(e => e.Error):0.0}, min {large.DefaultIfEmpty().Min(e => e.Error)}");
    }

    private double InputCapacity => Math.Max(1, settings.Limits.InputTokensPerMinute * settings.Limits.BurstSeconds / 60.0);

    private double InputRefill => settings.Limits.InputTokensPerMinute / 60.0;

    private void Describe(IReadOnlyList<WorkItem> items, IdealBreakdown ideal)
    {
        var l = settings.Limits;
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"Upstream (simulator, per key): {l.RequestsPerMinute} RPM, {l.InputTokensPerMinute} input and {l.OutputTokensPerMinute} output tokens per minute, burst {l.BurstSeconds} s of refill, output accounting {settings.OutputAccounting}, remaining rounded to {settings.RemainingRounding}"));
        output.WriteLine(string.Create(c, $"Latency model: {settings.Latency.TimeToFirstToken.TotalMilliseconds} ms to first token, {settings.Latency.TokensPerSecond} tokens/s, jitter ±{settings.LatencyJitter:P0}; replies: mean {settings.MeanOutputTokens} tokens, {settings.MaxTokensRate:P0} run to max_tokens"));
        output.WriteLine(string.Create(c, $"Workload: {items.Count} requests from {settings.Workload.Callers} callers (seed {settings.Workload.Seed}); {ideal.TotalInputTokens} input tokens, {ideal.TotalOutputTokens} output tokens produced, {items.Sum(i => (long)i.MaxTokens)} max_tokens reserved in all"));
        output.WriteLine(string.Create(c, $"Ideal makespan {Format.Seconds(ideal.Ideal)} ({ideal.Binding} binding): requests {Format.Seconds(ideal.Requests)}, input {Format.Seconds(ideal.InputTokens)}, output {Format.Seconds(ideal.OutputTokens)}, + mean service {Format.Seconds(ideal.MeanServiceTime)}; concurrency bound {Format.Seconds(ideal.Concurrency)}; longest request {Format.Seconds(ideal.LongestRequest)}{(ideal.Replayed is { } replayed ? "; replayed in order against the upstream's buckets " + Format.Seconds(replayed) : "")}"));
        output.WriteLine();
    }
}
