namespace Pacer.Usage;

/// <summary>
/// Credits held for one request in flight. The request's actual credits reach the budget through its usage
/// record (<see cref="UsageRecorder"/> charges <see cref="BudgetGuard"/>); disposing the reservation, once the
/// request has ended, returns the hold. Dispose it in every case, refused by the limiter, failed or done.
/// </summary>
public sealed class BudgetReservation : IDisposable
{
    private readonly BudgetAccount? _account;
    private readonly long _epoch;
    private readonly Action? _onRelease;
    private int _released;

    internal BudgetReservation(BudgetAccount? account, long credits, long epoch, Action? onRelease = null)
    {
        _account = account;
        _onRelease = onRelease;
        Credits = credits;
        _epoch = epoch;
    }

    /// <summary>Gets a reservation for a user without a budget: it holds nothing.</summary>
    public static BudgetReservation Unlimited { get; } = new(null, 0, 0);

    /// <summary>Gets the credits held.</summary>
    public long Credits { get; }

    /// <summary>Gets a value indicating whether a budget applies to the request.</summary>
    public bool IsLimited => _account is not null;

    /// <summary>Returns the hold to the budget; safe to call more than once.</summary>
    public void Dispose()
    {
        if (_account is not null && Interlocked.Exchange(ref _released, 1) == 0)
        {
            _account.Release(Credits, _epoch);
            _onRelease?.Invoke();
        }
    }
}
