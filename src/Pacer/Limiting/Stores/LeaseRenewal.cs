using Microsoft.Extensions.Logging;

namespace Pacer.Limiting;

/// <summary>
/// Keeps a limiter's concurrency leases alive in a store whose leases expire: every third of their time to live it
/// renews, in one call, the lease of every permit still held, so that a long request or stream keeps its slot and a
/// crashed process's slots come back within one time to live. It renews even with no lease held: the call is also the
/// process's heartbeat, by which a shared store counts the live instances. Track and Forget run under the limiter's lock.
/// </summary>
internal sealed class LeaseRenewal : IDisposable
{
    private readonly ILimiterStore _store;
    private readonly string _owner;
    private readonly Lock _gate;
    private readonly ILogger? _logger;
    private readonly HashSet<long> _held = [];
    private readonly ITimer _timer;
    private long[] _ids = new long[64];
    private int _renewing;

    public LeaseRenewal(ILimiterStore store, string owner, TimeSpan timeToLive, TimeProvider time, Lock gate, ILogger? logger)
    {
        _store = store;
        _owner = owner;
        _gate = gate;
        _logger = logger;
        var every = timeToLive / 3;
        _timer = time.CreateTimer(static state => ((LeaseRenewal)state!).Renew(), this, every, every);
    }

    /// <summary>Notes a lease just taken. Under the limiter's lock.</summary>
    public void Track(long id) => _held.Add(id);

    /// <summary>Notes a lease given back. Under the limiter's lock.</summary>
    public void Forget(long id) => _held.Remove(id);

    public void Dispose() => _timer.Dispose();

    private void Renew()
    {
        // One renewal at a time: a slow store is not asked again until it answers.
        if (Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return;
        }

        int count;
        lock (_gate)
        {
            count = _held.Count;
            if (_ids.Length < count)
            {
                _ids = new long[Math.Max(count, _ids.Length * 2)];
            }

            _held.CopyTo(_ids);
        }

        _ = RenewAsync(count);
    }

    private async Task RenewAsync(int count)
    {
        try
        {
            await _store.RenewAsync(_owner, _ids.AsMemory(0, count)).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            if (_logger is not null)
            {
                LimiterLog.StoreFailed(_logger, exception.GetType().Name, exception.Message);
            }
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }
}
