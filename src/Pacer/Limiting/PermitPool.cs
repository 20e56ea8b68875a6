namespace Pacer.Limiting;

/// <summary>
/// A stack of released permits, so that an acquire allocates nothing once as many permits exist as were ever in flight
/// at once. It starts with room for 64 and doubles when a release finds it full, which happens only at a new peak of
/// permits in flight: so it holds at most that peak, which <c>MaxConcurrentRequests</c> bounds (50 under the seed's
/// ranges, 10000 with extended ranges); past <see cref="MaxSize"/> a released permit is left to the collector.
/// The limiter's lock guards it.
/// </summary>
internal sealed class PermitPool
{
    /// <summary>The most permits kept: the largest <c>MaxConcurrentRequests</c> that extended ranges allow.</summary>
    public const int MaxSize = Configuration.SettingRanges.ExtendedMaxConcurrentRequests;

    private const int InitialSize = 64;

    private LimiterPermit?[] _permits = new LimiterPermit?[InitialSize];
    private int _count;

    public LimiterPermit Rent()
    {
        if (_count == 0)
        {
            return new LimiterPermit();
        }

        var permit = _permits[--_count]!;
        _permits[_count] = null;
        return permit;
    }

    public void Return(LimiterPermit permit)
    {
        if (_count == _permits.Length && _count < MaxSize)
        {
            Array.Resize(ref _permits, Math.Min(MaxSize, _count * 2));
        }

        if (_count < _permits.Length)
        {
            _permits[_count++] = permit;
        }
    }
}
