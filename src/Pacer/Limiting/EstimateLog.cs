namespace Pacer.Limiting;

/// <summary>
/// Remembers which characters-per-token ratio recent input estimates were made with, so that calibration corrects
/// the ratio an estimate used rather than the one in use when its answer comes back. A request may wait and run for
/// many seconds, during which dozens of other answers move the ratio: applying its error to the moved ratio compounds
/// the same correction again and again, and the ratio swings from one clamp toward the other. A fixed table indexed by
/// (model, estimate): nothing allocated, older entries overwritten. Thread-safe.
/// </summary>
internal sealed class EstimateLog
{
    private const int Size = 1024;

    private readonly Lock _gate = new();
    private readonly Entry[] _entries = new Entry[Size];

    /// <summary>Records that <paramref name="estimate"/> for <paramref name="model"/> was made with <paramref name="charsPerToken"/>.</summary>
    public void Record(string model, int estimate, double charsPerToken)
    {
        var slot = Slot(model, estimate);
        lock (_gate)
        {
            _entries[slot] = new Entry(model, estimate, charsPerToken);
        }
    }

    /// <summary>Gets the ratio <paramref name="estimate"/> for <paramref name="model"/> was made with, or null when forgotten.</summary>
    public double? RatioOf(string model, int estimate)
    {
        var slot = Slot(model, estimate);
        lock (_gate)
        {
            var entry = _entries[slot];
            return entry.Estimate == estimate && string.Equals(entry.Model, model, StringComparison.Ordinal) ? entry.CharsPerToken : null;
        }
    }

    private static int Slot(string model, int estimate) => (int)((uint)HashCode.Combine(model, estimate) % Size);

    private readonly record struct Entry(string? Model, int Estimate, double CharsPerToken);
}
