namespace Pacer.Limiting;

/// <summary>A small stack of released permits, so that an uncontended acquire allocates nothing. The limiter's lock guards it.</summary>
internal sealed class PermitPool
{
    private const int Size = 64;

    private readonly LimiterPermit?[] _permits = new LimiterPermit?[Size];
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
        if (_count < Size)
        {
            _permits[_count++] = permit;
        }
    }
}
