using System.Globalization;
using Pacer.Limiting;

namespace Pacer.Goodput.Systems;

/// <summary>
/// Watches an in-process Pacer limiter during a run: why admissions waited (<see cref="BlockerTally"/>), and, sampled
/// every 100 ms, the requests in flight and queued and what the learned output budget said remained. Owns the limiter.
/// </summary>
internal sealed class LimiterProbe : IAsyncDisposable
{
    private readonly BlockerTally _tally;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<LimiterSnapshot> _samples = [];
    private readonly Task _sampling;
    private readonly SwitchLog _log = new();

    public LimiterProbe(Pacer.Configuration.PacerOptions options)
    {
        _tally = new BlockerTally(new InMemoryLimiterStore());
        Limiter = new Limiter(options, store: _tally, logger: _log);
        _sampling = SampleAsync();
    }

    public Limiter Limiter { get; }

    public string Describe()
    {
        lock (_samples)
        {
            var c = CultureInfo.InvariantCulture;
            var inFlight = _samples.Select(s => (double)s.CurrentRequests).DefaultIfEmpty().ToArray();
            var queued = _samples.Select(s => (double)s.QueuedRequests).DefaultIfEmpty().ToArray();
            var output = _samples.SelectMany(s => s.UpstreamBuckets).Where(b => b.OutputTokens.Remaining is not null).Select(b => (double)b.OutputTokens.Remaining!.Value).DefaultIfEmpty().ToArray();
            var input = _samples.SelectMany(s => s.UpstreamBuckets).Where(b => b.InputTokens.Remaining is not null).Select(b => (double)b.InputTokens.Remaining!.Value).DefaultIfEmpty().ToArray();
            var described = string.Create(c, $"   Pacer's limiter (OutputReservation {Limiter.Options.OutputReservation}): {_tally.Describe()}; sampled every 100 ms: in flight mean {inFlight.Average():0.0} (max {inFlight.Max():0}), queued mean {queued.Average():0.0}; learned remaining after local reservations: output mean {output.Average():0}, input mean {input.Average():0} tokens");
            return string.Concat(described, string.Concat(_log.Lines.Select(line => Environment.NewLine + "   " + line)));
        }
    }

    /// <summary>
    /// Gets how far the limiter's view of the learned input budget (remaining after its local reservations) lay below
    /// the upstream's true level, sampled every 100 ms while requests were queued: mean, and at the 10th and 90th percentiles.
    /// </summary>
    public string DescribeInputGap(Func<IReadOnlyList<DateTimeOffset>, IReadOnlyList<double>> serverLevelsAt) =>
        DescribeGap("Input", b => b.InputTokens.Remaining, serverLevelsAt);

    /// <summary>The same as <see cref="DescribeInputGap"/> for any learned budget of the upstream bucket.</summary>
    public string DescribeGap(string budget, Func<UpstreamBucketSnapshot, long?> remaining, Func<IReadOnlyList<DateTimeOffset>, IReadOnlyList<double>> serverLevelsAt)
    {
        ArgumentNullException.ThrowIfNull(remaining);
        ArgumentNullException.ThrowIfNull(serverLevelsAt);
        List<(DateTimeOffset At, double Local)> views;
        lock (_samples)
        {
            views = _samples.Where(s => s.QueuedRequests > 0)
                .SelectMany(s => s.UpstreamBuckets.Where(b => remaining(b) is not null).Select(b => (s.Timestamp, (double)remaining(b)!.Value)))
                .ToList();
        }

        if (views.Count == 0)
        {
            return $"   {budget} view gap: no sample";
        }

        var server = serverLevelsAt(views.Select(v => v.At).ToList());
        var gaps = views.Select((v, i) => server[i] - v.Local).Order().ToList();
        var c = CultureInfo.InvariantCulture;
        return string.Create(c, $"   {budget} view gap while queued (upstream's level − limiter's remaining, {gaps.Count} samples): mean {gaps.Average():0}, p10 {gaps[gaps.Count / 10]:0}, p50 {gaps[gaps.Count / 2]:0}, p90 {gaps[gaps.Count * 9 / 10]:0}, min {gaps[0]:0} tokens; below 0 in {gaps.Count(g => g < 0)} samples; upstream level mean {server.Average():0}");
    }

    /// <summary>
    /// Describes what the limiter did during each of the given pauses between arrivals at the upstream: the admission
    /// decisions it took (none means nothing woke it), what blocked them and for how long, and the sampled state.
    /// </summary>
    public string DescribePauses(IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> pauses, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(pauses);
        var decisions = _tally.Decisions();
        List<LimiterSnapshot> samples;
        lock (_samples)
        {
            samples = [.. _samples];
        }

        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        foreach (var (from, to) in pauses)
        {
            var inside = decisions.Where(d => d.At > from && d.At < to).ToList();
            var waits = inside.Where(d => d.Status == AdmissionStatus.Wait).ToList();
            var blockers = Enum.GetValues<AdmissionBlockers>()
                .Where(b => b != AdmissionBlockers.None && b != AdmissionBlockers.Shared)
                .Select(b => (Blocker: b, Count: waits.Count(w => w.Blockers.HasFlag(b))))
                .Where(b => b.Count > 0)
                .Select(b => $"{b.Blocker} {b.Count}");
            var state = samples.Where(s => s.Timestamp > from && s.Timestamp < to).ToList();
            var output = state.SelectMany(s => s.UpstreamBuckets).Select(b => b.OutputTokens.Remaining).Where(r => r is not null).Select(r => (double)r!.Value).DefaultIfEmpty(double.NaN);
            var input = state.SelectMany(s => s.UpstreamBuckets).Select(b => b.InputTokens.Remaining).Where(r => r is not null).Select(r => (double)r!.Value).DefaultIfEmpty(double.NaN);
            var asked = waits.Select(w => $"{w.Input}/{w.Output}").Distinct().Take(4);
            var retry = waits.Select(w => w.RetryAfter.TotalMilliseconds).DefaultIfEmpty(double.NaN);
            lines.Add(string.Create(c, $"   pause {(from - start).TotalSeconds:0.00}–{(to - start).TotalSeconds:0.00} s: {inside.Count} decisions ({inside.Count(d => d.Status == AdmissionStatus.Admitted)} admitted, first at +{(inside.Count == 0 ? double.NaN : (inside[0].At - from).TotalMilliseconds):0} ms), waits blocked by [{string.Join(", ", blockers)}], retry-after min {retry.Min():0} / max {retry.Max():0} ms, asked input/output [{string.Join(" ", asked)}]; sampled in flight {state.Select(s => s.CurrentRequests).DefaultIfEmpty().Max()}, queued {state.Select(s => s.QueuedRequests).DefaultIfEmpty().Max()}, learned output remaining {output.Min():0}–{output.Max():0}, input remaining {input.Min():0}–{input.Max():0}"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Gets the learned output remaining (after local reservations) sampled last before <paramref name="at"/>, and the last admission decided before it.</summary>
    public string ViewBefore(DateTimeOffset at)
    {
        LimiterSnapshot? sample;
        lock (_samples)
        {
            sample = _samples.LastOrDefault(s => s.Timestamp <= at);
        }

        var output = sample?.UpstreamBuckets.Select(b => b.OutputTokens.Remaining).FirstOrDefault(r => r is not null);
        var admitted = _tally.Decisions().LastOrDefault(d => d.At <= at && d.Status == AdmissionStatus.Admitted);
        return string.Create(CultureInfo.InvariantCulture, $"limiter's output remaining {output} sampled {(sample is null ? double.NaN : (at - sample.Timestamp).TotalMilliseconds):0} ms before; last admission {(at - admitted.At).TotalMilliseconds:0.0} ms before, holding {admitted.Output}; before it: {_tally.EventsBetween(admitted.At - TimeSpan.FromMilliseconds(300), admitted.At)}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
        Limiter.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var snapshot = Limiter.Snapshot();
                lock (_samples)
                {
                    _samples.Add(snapshot);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }
}
