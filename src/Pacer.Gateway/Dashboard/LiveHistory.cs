namespace Pacer.Gateway.Dashboard;

/// <summary>
/// The last <see cref="Capacity"/> samples (15 minutes at one a second) in a ring, so that a page opened now shows the
/// recent past. Memory is fixed; the oldest sample is overwritten. Thread-safe.
/// </summary>
internal sealed class LiveHistory
{
    /// <summary>Time between samples.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Samples kept: 15 minutes.</summary>
    public const int Capacity = 15 * 60;

    private readonly Lock _gate = new();
    private readonly LiveSample[] _ring = new LiveSample[Capacity];
    private int _next;
    private int _count;

    /// <summary>Adds a sample, dropping the oldest when full.</summary>
    public void Add(LiveSample sample)
    {
        lock (_gate)
        {
            _ring[_next] = sample;
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    /// <summary>Gets the samples taken after <paramref name="afterUnixMilliseconds"/>, oldest first.</summary>
    public LiveSample[] Since(long afterUnixMilliseconds)
    {
        lock (_gate)
        {
            var samples = new List<LiveSample>(_count);
            for (var i = 0; i < _count; i++)
            {
                var sample = _ring[(_next - _count + i + Capacity) % Capacity];
                if (sample.Time > afterUnixMilliseconds)
                {
                    samples.Add(sample);
                }
            }

            return [.. samples];
        }
    }
}
