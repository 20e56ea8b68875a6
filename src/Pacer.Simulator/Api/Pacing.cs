using Pacer.Simulator.Messages;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Api;

/// <summary>
/// The latency model: time to first token and time per token, each scaled by a jitter draw; waits on the simulator's
/// clock. The draws of one answer come from a sequence of its own, seeded like its reply text by the seed, the model and
/// the prompt (<see cref="Draws"/>): the same request is answered at the same pace whatever else the simulator serves
/// and in whatever order requests arrive, so runs replay and two clients sending the same workload meet the same
/// latencies.
/// </summary>
internal sealed class Pacing(LatencyOptions options, int seed, TimeProvider time)
{
    // Keeps the latency draws apart from the reply generator's, which start from the same seed, model and prompt.
    private static readonly ulong Salt = Fnv.Add(Fnv.Offset, "latency");

    public bool Enabled => options.Enabled;

    /// <summary>The jitter draws of the answer to <paramref name="request"/>.</summary>
    public LatencyDraws Draws(MessageRequest request) =>
        new(Fnv.Add(Fnv.Add(Fnv.Offset, (ulong)seed), request.Prompt.Fingerprint() ^ Fnv.Add(Salt, request.Model.Id)));

    public TimeSpan FirstToken(LatencyDraws draws) => options.Enabled ? Jitter(TimeSpan.FromMilliseconds(options.TimeToFirstTokenMs), draws) : TimeSpan.Zero;

    public TimeSpan Tokens(long count, LatencyDraws draws) =>
        options.Enabled && options.TokensPerSecond > 0 ? Jitter(TimeSpan.FromSeconds(count / options.TokensPerSecond), draws) : TimeSpan.Zero;

    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, time, cancellationToken);

    private TimeSpan Jitter(TimeSpan mean, LatencyDraws draws) => mean * (1 + (options.Jitter * ((2 * draws.NextDouble()) - 1)));
}

/// <summary>One answer's sequence of jitter draws (<see cref="Pacing.Draws"/>); used by that answer alone.</summary>
internal sealed class LatencyDraws(ulong seed)
{
    private SplitMix64 _random = new(seed);

    /// <summary>A draw in [0, 1).</summary>
    public double NextDouble() => _random.NextDouble();
}
