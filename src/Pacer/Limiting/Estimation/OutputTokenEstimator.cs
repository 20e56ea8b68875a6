using System.Collections.Concurrent;

namespace Pacer.Limiting;

/// <summary>
/// Estimates how many output tokens a request to a model will really produce, from the <c>usage.output_tokens</c> that
/// came back: an exponentially weighted mean plus <see cref="Deviations"/> standard deviations, never below
/// <see cref="Floor"/>, and always capped by the request's <c>max_tokens</c>. Until a model has
/// <see cref="WarmUp"/> observations its requests hold their whole <c>max_tokens</c>. Thread-safe.
/// </summary>
public sealed class OutputTokenEstimator
{
    /// <summary>The observations a model needs before its estimate is used.</summary>
    public const int WarmUp = 5;

    /// <summary>The smallest estimate ever used.</summary>
    public const int Floor = 64;

    /// <summary>The weight of one observation in the moving mean and variance.</summary>
    public const double Smoothing = 0.1;

    /// <summary>How many standard deviations above the mean the estimate sits.</summary>
    public const double Deviations = 2;

    // Calibrations are kept for at most this many model names; others hold max_tokens.
    private const int ModelLimit = 256;

    private readonly ConcurrentDictionary<string, Moments> _models = new(StringComparer.Ordinal);

    /// <summary>Gets what a request to <paramref name="model"/> with <paramref name="maxTokens"/> should hold: min(max_tokens, estimate).</summary>
    public int Reserve(string model, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _models.TryGetValue(model, out var moments) && moments.Estimate() is { } estimate
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

        if (!_models.TryGetValue(model, out var moments))
        {
            if (_models.Count >= ModelLimit)
            {
                return;
            }

            moments = _models.GetOrAdd(model, _ => new Moments());
        }

        moments.Add(outputTokens);
    }

    /// <summary>An exponentially weighted mean and variance, updated under its own lock (a few arithmetic operations).</summary>
    private sealed class Moments
    {
        private readonly Lock _gate = new();
        private double _mean;
        private double _variance;
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

                var delta = value - _mean;
                _mean += Smoothing * delta;
                _variance = (1 - Smoothing) * (_variance + (Smoothing * delta * delta));
            }
        }

        public int? Estimate()
        {
            lock (_gate)
            {
                return _count < WarmUp
                    ? null
                    : (int)Math.Max(Floor, Math.Ceiling(_mean + (Deviations * Math.Sqrt(_variance))));
            }
        }
    }
}
