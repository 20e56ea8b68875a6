using System.Collections.Concurrent;
using Pacer.Simulator.Control;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Faults;

/// <summary>
/// Chooses the fault for each request, first match wins: a step queued through the control API (for every key or one
/// key), then the <c>x-simulator-fault</c> header, then a <c>+fault=</c> model suffix, then the random rates. A header
/// or suffix script is walked step by step across the requests that carry it (per key), and starts over at its end,
/// so a client retrying the same request meets its steps in order.
/// </summary>
internal sealed class FaultPlanner
{
    private readonly FaultOptions _options;
    private readonly SimulatorRandom _random;
    private readonly (FaultStep Step, double Rate)[] _rates;
    private readonly Lock _gate = new();
    private readonly List<(FaultStep Step, string? KeyId)> _queue = [];
    private readonly ConcurrentDictionary<(string Key, string Script), long> _positions = new();

    public FaultPlanner(FaultOptions options, SimulatorRandom random)
    {
        _options = options;
        _random = random;
        _rates = [.. FaultScript.ParseRates(options.Rates, options).Where(r => r.Rate > 0)];
    }

    /// <summary>Steps still queued through the control API.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Queues steps for the next requests (of one key when <paramref name="keyId"/> is set).</summary>
    public void Enqueue(IEnumerable<FaultStep> steps, string? keyId)
    {
        lock (_gate)
        {
            _queue.AddRange(steps.Select(s => (s, keyId)));
        }
    }

    /// <summary>The fault for one request and where it came from (queue, header, model, random or none).</summary>
    public (FaultStep Step, string Source) Next(string keyId, string? headerScript, string? modelScript)
    {
        lock (_gate)
        {
            var index = _queue.FindIndex(q => q.KeyId is null || q.KeyId == keyId);
            if (index >= 0)
            {
                var step = _queue[index].Step;
                _queue.RemoveAt(index);
                return (step, "queue");
            }
        }

        if (!string.IsNullOrWhiteSpace(headerScript))
        {
            return (Walk(keyId, headerScript), "header");
        }

        if (!string.IsNullOrWhiteSpace(modelScript))
        {
            return (Walk(keyId, modelScript), "model");
        }

        if (_rates.Length > 0)
        {
            var draw = _random.NextDouble();
            foreach (var (step, rate) in _rates)
            {
                if (draw < rate)
                {
                    return (step, "random");
                }

                draw -= rate;
            }
        }

        return (FaultStep.Ok, "none");
    }

    public void Reset()
    {
        lock (_gate)
        {
            _queue.Clear();
        }

        _positions.Clear();
    }

    private FaultStep Walk(string keyId, string script)
    {
        var steps = FaultScript.Parse(script, _options);
        var position = _positions.AddOrUpdate((keyId, script.Trim()), 0, (_, p) => p + 1);
        return steps[(int)(position % steps.Count)];
    }
}
