using Pacer.Simulator.Control;
using Pacer.Simulator.Faults;
using Pacer.Simulator.Limits;
using Pacer.Simulator.Messages;
using Pacer.Simulator.Models;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Hosting;

/// <summary>Everything one running simulator remembers: buckets, spend, cache, queued faults and the attempt log.</summary>
internal sealed class SimulatorState
{
    private readonly HashSet<string> _keys;

    public SimulatorState(SimulatorOptions options, TimeProvider time)
    {
        Options = options;
        Time = time;
        Random = new SimulatorRandom(options.Seed);
        Catalog = ModelCatalog.From(options);
        Limiter = new RateLimiter(options.Limits, time);
        Spend = new SpendMeter(options.Spend, time);
        Acceleration = new AccelerationMeter(options.Acceleration, time);
        Cache = new PromptCache(options.PromptCache, time);
        Faults = new FaultPlanner(options.Faults, Random);
        Log = new AttemptLog(options.AttemptLogCapacity);
        Replies = new ReplyGenerator(options.Output, options.Seed);
        _keys = new HashSet<string>(options.ApiKeys, StringComparer.Ordinal);
    }

    public SimulatorOptions Options { get; }

    public TimeProvider Time { get; }

    public SimulatorRandom Random { get; }

    public ModelCatalog Catalog { get; }

    public RateLimiter Limiter { get; }

    public SpendMeter Spend { get; }

    public AccelerationMeter Acceleration { get; }

    public PromptCache Cache { get; }

    public FaultPlanner Faults { get; }

    public AttemptLog Log { get; }

    public ReplyGenerator Replies { get; }

    /// <summary>Whether the key may call: any non-empty key when none are configured.</summary>
    public bool Accepts(string apiKey) => _keys.Count == 0 ? apiKey.Length > 0 : _keys.Contains(apiKey);

    /// <summary>Forgets all state: full buckets, no spend, empty cache, no queued faults, empty log.</summary>
    public void Reset()
    {
        Limiter.Reset();
        Spend.Reset();
        Acceleration.Reset();
        Cache.Reset();
        Faults.Reset();
        Log.Clear();
    }
}
