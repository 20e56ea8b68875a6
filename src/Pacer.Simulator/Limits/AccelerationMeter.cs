using System.Collections.Concurrent;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Limits;

/// <summary>
/// The acceleration (ramp) limit: exponentially decaying request counts over a short and a long time constant, per
/// API key and pool. A request is refused when it would lift the short-term rate above <c>Factor</c> times the
/// long-term rate (never below the floor).
/// </summary>
internal sealed class AccelerationMeter(AccelerationOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Key, string Pool), Rates> _rates = new();

    public bool Enabled => options.Enabled;

    /// <summary>Null when the request may go (and is counted); otherwise how long until it would be within the ramp.</summary>
    public TimeSpan? TryAdmit(string keyId, string pool)
    {
        if (!options.Enabled)
        {
            return null;
        }

        var rates = _rates.GetOrAdd((keyId, pool), _ => new Rates());
        lock (rates)
        {
            var now = time.GetUtcNow();
            rates.Decay(now, options);
            var threshold = Math.Max(options.FloorRequestsPerMinute / 60, options.Factor * rates.Slow / options.LongWindowSeconds);
            var shortRate = (rates.Fast + 1) / options.ShortWindowSeconds;
            if (shortRate <= threshold)
            {
                rates.Fast += 1;
                rates.Slow += 1;
                return null;
            }

            // Fast·e^(−t/τ) + 1 ≤ threshold·τ  ⇒  t = τ·ln(Fast / (threshold·τ − 1)).
            var room = (threshold * options.ShortWindowSeconds) - 1;
            var seconds = room > 0 ? options.ShortWindowSeconds * Math.Log(rates.Fast / room) : options.ShortWindowSeconds;
            return TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(seconds)));
        }
    }

    public void Reset() => _rates.Clear();

    private sealed class Rates
    {
        private DateTimeOffset _updated;

        public double Fast { get; set; }

        public double Slow { get; set; }

        public void Decay(DateTimeOffset now, AccelerationOptions options)
        {
            var seconds = _updated == default ? 0 : Math.Max(0, (now - _updated).TotalSeconds);
            _updated = now;
            Fast *= Math.Exp(-seconds / options.ShortWindowSeconds);
            Slow *= Math.Exp(-seconds / options.LongWindowSeconds);
        }
    }
}
