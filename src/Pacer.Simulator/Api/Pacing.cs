using Pacer.Simulator.Options;

namespace Pacer.Simulator.Api;

/// <summary>The latency model: time to first token and time per token, each scaled by a jitter draw; waits on the simulator's clock.</summary>
internal sealed class Pacing(LatencyOptions options, Control.SimulatorRandom random, TimeProvider time)
{
    public bool Enabled => options.Enabled;

    public TimeSpan FirstToken() => options.Enabled ? Jitter(TimeSpan.FromMilliseconds(options.TimeToFirstTokenMs)) : TimeSpan.Zero;

    public TimeSpan Tokens(long count) =>
        options.Enabled && options.TokensPerSecond > 0 ? Jitter(TimeSpan.FromSeconds(count / options.TokensPerSecond)) : TimeSpan.Zero;

    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, time, cancellationToken);

    private TimeSpan Jitter(TimeSpan mean) => mean * (1 + (options.Jitter * ((2 * random.NextDouble()) - 1)));
}
