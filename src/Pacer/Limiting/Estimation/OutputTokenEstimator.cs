using System.Collections.Concurrent;

namespace Pacer.Limiting;

/// <summary>
/// Estimates how many output tokens a request to a model will really produce, from the <c>usage.output_tokens</c> that
/// came back: an exponentially weighted mean of the replies, each counted at most <see cref="OutlierMultiple"/> times
/// the mean so far, never below <see cref="Floor"/>, and always capped by the request's <c>max_tokens</c>. Until a
/// model has <see cref="WarmUp"/> observations its requests hold their whole <c>max_tokens</c>. Thread-safe.
/// </summary>
/// <remarks>
/// The estimate is what a request holds against an upstream that counts output as it is produced. That upstream
/// charges each reply's real length when it is produced and refuses only an empty bucket, so the holds of the requests in
/// flight should add up to what they will produce: the mean, not a bound on each reply. A bound (the mean plus two
/// deviations) made every request hold several replies' worth, and the few replies that run to <c>max_tokens</c> lifted
/// it to the whole <c>max_tokens</c>, so that on a bucket of a few seconds two or three requests filled it. Those
/// replies are still counted, but no more than <see cref="OutlierMultiple"/> times the mean each, so that one of them
/// does not move the estimate for the next ten.
/// </remarks>
public sealed class OutputTokenEstimator
{
    /// <summary>The observations a model needs before its estimate is used.</summary>
    public const int WarmUp = 5;

    /// <summary>The smallest estimate ever used.</summary>
    public const int Floor = 64;

    /// <summary>The weight of one observation in the moving mean.</summary>
    public const double Smoothing = 0.1;

    /// <summary>After the warm-up, a reply counts as at most this many times the mean so far (never below <see cref="Floor"/>).</summary>
    public const double OutlierMultiple = 4;

    // Calibrations are kept for at most this many model names; others hold max_tokens.
    private const int ModelLimit = 256;

    private readonly ConcurrentDictionary<string, MovingMean> _models = new(StringComparer.Ordinal);

    /// <summary>Gets what a request to <paramref name="model"/> with <paramref name="maxTokens"/> should hold: min(max_tokens, estimate).</summary>
    public int Reserve(string model, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _models.TryGetValue(model, out var mean) && mean.Estimate() is { } estimate
            ? Math.Min(maxTokens, estimate)
            : maxTokens;
    }

    /// <summary>Adds one real output of <paramref name="model"/> (<c>usage.output_tokens</c>); ignores negative values.</summary>
    public void Calibrate(string model, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (outputTokens < 0)
        {
            return;
        }

        if (!_models.TryGetValue(model, out var mean))
        {
            if (_models.Count >= ModelLimit)
            {
                return;
            }

            mean = _models.GetOrAdd(model, _ => new MovingMean());
        }

        mean.Add(outputTokens);
    }

    /// <summary>An exponentially weighted mean of outliers capped, updated under its own lock (a few arithmetic operations).</summary>
    private sealed class MovingMean
    {
        private readonly Lock _gate = new();
        private double _mean;
        private int _count;

        public void Add(double value)
        {
            lock (_gate)
            {
                if (_count++ == 0)
                {
                    _mean = value;
                    return;
                }

                if (_count > WarmUp)
                {
                    value = Math.Min(value, OutlierMultiple * Math.Max(_mean, Floor));
                }

                _mean += Smoothing * (value - _mean);
            }
        }

        public int? Estimate()
        {
            lock (_gate)
            {
                return _count < WarmUp ? null : (int)Math.Max(Floor, Math.Ceiling(_mean));
            }
        }
    }
}
