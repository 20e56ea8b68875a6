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
    public string DescribeInputGap(Func<IReadOnlyList<DateTimeOffset>, IReadOnlyList<double>> serverLevelsAt)
    {
        ArgumentNullException.ThrowIfNull(serverLevelsAt);
        List<(DateTimeOffset At, double Local)> views;
        lock (_samples)
        {
            views = _samples.Where(s => s.QueuedRequests > 0)
                .SelectMany(s => s.UpstreamBuckets.Where(b => b.InputTokens.Remaining is not null).Select(b => (s.Timestamp, (double)b.InputTokens.Remaining!.Value)))
                .ToList();
        }

        if (views.Count == 0)
        {
            return "   Input view gap: no sample";
        }

        var server = serverLevelsAt(views.Select(v => v.At).ToList());
        var gaps = views.Select((v, i) => server[i] - v.Local).Order().ToList();
        var c = CultureInfo.InvariantCulture;
        return string.Create(c, $"   Input view gap while queued (upstream's level − limiter's remaining, {gaps.Count} samples): mean {gaps.Average():0}, p10 {gaps[gaps.Count / 10]:0}, p50 {gaps[gaps.Count / 2]:0}, p90 {gaps[gaps.Count * 9 / 10]:0} tokens; upstream level mean {server.Average():0}");
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
