using System.Collections.Concurrent;

namespace Pacer.Limiting;

/// <summary>
/// Estimates a Messages request's input tokens from its JSON body, before it is sent, and calibrates itself per model
/// from the <c>usage.input_tokens</c> that come back. Text counts as its UTF-8 bytes divided by a per-model
/// characters-per-token ratio (3.6 at first); images, PDF pages and the tool-use system prompt add fixed amounts.
/// Deterministic: the same calibrations give the same estimates. Thread-safe.
/// </summary>
public sealed class InputTokenEstimator
{
    /// <summary>The starting characters-per-token ratio.</summary>
    public const double DefaultCharsPerToken = 3.6;

    /// <summary>The smallest ratio calibration may reach.</summary>
    public const double MinCharsPerToken = 1.5;

    /// <summary>The largest ratio calibration may reach.</summary>
    public const double MaxCharsPerToken = 8;

    /// <summary>The weight of one observation in the moving average of the ratio.</summary>
    public const double Smoothing = 0.2;

    // Calibrated ratios are kept for at most this many model names; others use the starting ratio.
    private const int ModelLimit = 256;

    private readonly ConcurrentDictionary<string, Ratio> _ratios = new(StringComparer.Ordinal);

    /// <summary>Creates an estimator that starts every model at <paramref name="charsPerToken"/>.</summary>
    public InputTokenEstimator(double charsPerToken = DefaultCharsPerToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(charsPerToken, MinCharsPerToken);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(charsPerToken, MaxCharsPerToken);
        InitialCharsPerToken = charsPerToken;
    }

    /// <summary>Gets the ratio every model starts with.</summary>
    public double InitialCharsPerToken { get; }

    /// <summary>Gets the characters-per-token ratio in use for <paramref name="model"/>.</summary>
    public double CharsPerToken(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _ratios.TryGetValue(model, out var ratio) ? ratio.Value : InitialCharsPerToken;
    }

    /// <summary>
    /// Estimates the input tokens of a Messages request body (UTF-8 JSON); a body that is not JSON counts as text. The
    /// result carries the ratio it used: give it back to <see cref="Calibrate(string, InputEstimate, int)"/>.
    /// </summary>
    public InputEstimate Estimate(string model, ReadOnlySpan<byte> utf8JsonBody)
    {
        var measure = RequestBodyMeasure.Measure(utf8JsonBody);
        var ratio = CharsPerToken(model);
        return new InputEstimate((int)Math.Min(int.MaxValue, Math.Ceiling((measure.TextBytes / ratio) + measure.FixedTokens)), ratio);
    }

    /// <summary>
    /// Moves <paramref name="model"/>'s ratio toward the one that would have made <paramref name="estimate"/> equal
    /// <paramref name="actualInputTokens"/> (an exponential moving average, clamped to
    /// [<see cref="MinCharsPerToken"/>, <see cref="MaxCharsPerToken"/>]). The target is the ratio the estimate was made
    /// with (the current one for an estimate that names none), corrected by its error, so answers to estimates made
    /// before earlier calibrations do not apply the same correction again. Ignores empty values.
    /// </summary>
    public void Calibrate(string model, InputEstimate estimate, int actualInputTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (estimate.Tokens <= 0 || actualInputTokens <= 0)
        {
            return;
        }

        if (!_ratios.TryGetValue(model, out var ratio))
        {
            if (_ratios.Count >= ModelLimit)
            {
                return;
            }

            ratio = _ratios.GetOrAdd(model, _ => new Ratio(InitialCharsPerToken));
        }

        ratio.Update(estimate.CharsPerToken > 0 ? estimate.CharsPerToken : null, estimate.Tokens / (double)actualInputTokens);
    }

    /// <summary>A ratio updated lock-free.</summary>
    private sealed class Ratio(double initial)
    {
        private double _value = initial;

        public double Value => Volatile.Read(ref _value);

        /// <summary>
        /// An estimate <paramref name="factor"/> times too high means the ratio it was made with (<paramref name="used"/>,
        /// or the current one when unknown) was <paramref name="factor"/> times too low.
        /// </summary>
        public void Update(double? used, double factor)
        {
            while (true)
            {
                var current = Volatile.Read(ref _value);
                var target = (used ?? current) * factor;
                var next = Math.Clamp(current + (Smoothing * (target - current)), MinCharsPerToken, MaxCharsPerToken);
                if (Interlocked.CompareExchange(ref _value, next, current) == current)
                {
                    return;
                }
            }
        }
    }
}
