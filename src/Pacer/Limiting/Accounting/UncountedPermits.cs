namespace Pacer.Limiting;

/// <summary>
/// The live permits whose requests no response has yet shown in the server's count, in the order they were admitted
/// (an intrusive list through the pooled permits: nothing allocated). A response to a request shows the server's count
/// after that request's arrival, so it includes every request of the same bucket sent before it. Under the limiter's lock.
/// </summary>
internal sealed class UncountedPermits
{
    private IntrusiveList<LimiterPermit, LimiterPermit.Links> _permits;

    /// <summary>Adds a permit just admitted, the latest.</summary>
    public void Add(LimiterPermit permit)
    {
        _permits.AddLast(permit);
        permit.IsListed = true;
    }

    /// <summary>Takes a permit out of the list, if it is in it.</summary>
    public void Remove(LimiterPermit permit)
    {
        if (permit.IsListed)
        {
            _permits.Remove(permit);
            permit.IsListed = false;
        }
    }

    /// <summary>
    /// Marks <paramref name="answered"/>, every listed permit of its bucket admitted before it, and every later one
    /// admitted at or before <paramref name="arrivedBy"/> (ticks) as <paramref name="counted"/>, takes them out, and
    /// hands each to <paramref name="confirm"/>.
    /// </summary>
    public void CountThrough(LimiterPermit answered, long arrivedBy, ServerCount counted, Action<LimiterPermit> confirm)
    {
        var passed = !answered.IsListed;
        var permit = _permits.First;
        while (permit is not null && (!passed || permit.AdmittedAt <= arrivedBy))
        {
            var next = permit.Later;
            if (permit.Bucket == answered.Bucket)
            {
                Remove(permit);
                permit.Counted = counted;
                confirm(permit);
            }

            passed |= ReferenceEquals(permit, answered);
            permit = next;
        }
    }
}
