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
