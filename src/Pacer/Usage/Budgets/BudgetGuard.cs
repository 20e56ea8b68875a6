using System.Collections.Concurrent;

namespace Pacer.Usage;

/// <summary>
/// Enforces per-user credit budgets, reserve-then-reconcile: before a request is sent it reserves the most
/// credits it can cost and is refused (<see cref="BudgetExceededException"/>) when spent + reserved + that would
/// pass the budget; the usage record later charges the actual credits and the reservation is returned. So
/// concurrent requests cannot overshoot a budget by more than what the requests in flight under-estimated.
/// Spending is loaded from the ledger at the start of each period and refreshed every
/// <see cref="RefreshInterval"/>, so a restart or another instance sharing the store is taken into account.
/// </summary>
public sealed class BudgetGuard
{
    /// <summary>The default refresh interval.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FlushWait = TimeSpan.FromSeconds(2);
    private readonly IBudgetStore _store;
    private readonly IUsageLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, BudgetAccount> _accounts = new(StringComparer.Ordinal);
    private readonly ISharedBudgets? _shared;

    /// <summary>Creates a guard over the budgets in <paramref name="store"/> and the spending in <paramref name="ledger"/>.</summary>
    public BudgetGuard(IBudgetStore store, IUsageLedger ledger, TimeProvider? timeProvider = null, TimeSpan? refreshInterval = null)
        : this(store, ledger, timeProvider, refreshInterval, shared: null)
    {
    }

    /// <summary>
    /// Creates a guard whose holds and charges also go to <paramref name="shared"/> totals, so that several instances
    /// sharing <paramref name="ledger"/> hold and charge one budget together (see <see cref="ISharedBudgets"/>).
    /// </summary>
    public BudgetGuard(IBudgetStore store, IUsageLedger ledger, TimeProvider? timeProvider, TimeSpan? refreshInterval, ISharedBudgets? shared)
    {
        _shared = shared;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ledger);
        _store = store;
        _ledger = ledger;
        _time = timeProvider ?? TimeProvider.System;
        RefreshInterval = refreshInterval ?? DefaultRefreshInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RefreshInterval, TimeSpan.Zero, nameof(refreshInterval));
    }

    /// <summary>Gets how often a user's budget and spending are read again from the store.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RefreshInterval { get; }

    /// <summary>
    /// Holds <paramref name="estimatedCredits"/> for a request of <paramref name="user"/> (the most it can cost,
    /// see <see cref="CostCalculator.EstimateCredits"/>; 0 when unknown). Throws <see cref="BudgetExceededException"/>
    /// when the budget has nothing left or the estimate would pass it.
    /// </summary>
    public async ValueTask<BudgetReservation> ReserveAsync(string user, long estimatedCredits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedCredits);
        var account = await AccountAsync(user, cancellationToken).ConfigureAwait(false);
        lock (account)
        {
            if (account.Budget is not { } budget)
            {
                return BudgetReservation.Unlimited;
            }

            var remaining = budget.Credits - account.Spent - account.Reserved;
            if (remaining <= 0 || estimatedCredits > remaining)
            {
                throw new BudgetExceededException(budget, account.Spent, account.Reserved, estimatedCredits, account.PeriodEnd);
            }

            account.Reserved += estimatedCredits;
            if (_shared is null)
            {
                return new BudgetReservation(account, estimatedCredits, account.Epoch);
            }
        }

        return await ReserveSharedAsync(account, estimatedCredits, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Charges a request's actual credits to its user's current period (records of an earlier period are not
    /// charged: that period is over). Called by <see cref="UsageRecorder"/> for every record.
    /// </summary>
    public void Charge(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Credits is not > 0 || !_accounts.TryGetValue(record.User, out var account))
        {
            // A user never checked has no account: its records are in the ledger, read when it is first checked.
            return;
        }

        lock (account)
        {
            if (account.Loaded && account.Budget is not null && record.Time >= account.PeriodStart && record.Time < account.PeriodEnd)
            {
                account.Spent += record.Credits.Value;
                Share(account.User, account.PeriodStart, record.Credits.Value);
            }
        }
    }

    /// <summary>Takes the hold in the shared total too; refused there, the local hold goes back and the request is refused.</summary>
    private async ValueTask<BudgetReservation> ReserveSharedAsync(BudgetAccount account, long credits, CancellationToken cancellationToken)
    {
        UserBudget budget;
        long spent, reserved, epoch;
        DateTimeOffset start, end;
        lock (account)
        {
            (budget, spent, reserved, epoch, start, end) = (account.Budget!, account.Spent, account.Reserved, account.Epoch, account.PeriodStart, account.PeriodEnd);
        }

        long? total;
        try
        {
            // What this instance holds besides this request is in the shared total already.
            total = await _shared!.TryAddAsync(account.User, start, credits, budget.Credits, spent + reserved - credits, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The shared store is out of reach: this instance's own view decided (the local hold stands).
            return new BudgetReservation(account, credits, epoch);
        }

        if (total is null)
        {
            account.Release(credits, epoch);
            throw new BudgetExceededException(budget, spent, reserved - credits, credits, end);
        }

        return new BudgetReservation(account, credits, epoch, () => Share(account.User, start, -credits));
    }

    /// <summary>Adds to the shared total in the background; a failure leaves it to be started again from the ledger.</summary>
    private void Share(string user, DateTimeOffset periodStart, long credits)
    {
        if (_shared is null || credits == 0)
        {
            return;
        }

        _ = ShareAsync(user, periodStart, credits);
    }

    private async Task ShareAsync(string user, DateTimeOffset periodStart, long credits)
    {
        try
        {
            await _shared!.AddAsync(user, periodStart, credits).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The total lives a few minutes; started again from the ledger, it counts this charge there.
        }
    }

    /// <summary>Gets where <paramref name="user"/> stands, or null when it has no budget.</summary>
    public async Task<BudgetStatus?> GetStatusAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        return (await AccountAsync(user, cancellationToken).ConfigureAwait(false)).Status();
    }

    /// <summary>Gets where every user with a budget stands, ordered by user.</summary>
    public async Task<IReadOnlyList<BudgetStatus>> ListAsync(CancellationToken cancellationToken = default)
    {
        var statuses = new List<BudgetStatus>();
        foreach (var budget in await _store.ListBudgetsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await GetStatusAsync(budget.User, cancellationToken).ConfigureAwait(false) is { } status)
            {
                statuses.Add(status);
            }
        }

        return statuses;
    }

    /// <summary>Creates or replaces a budget in the store and applies it at once; returns where the user now stands.</summary>
    public async Task<BudgetStatus> SetBudgetAsync(UserBudget budget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(budget);
        await _store.SetBudgetAsync(budget, cancellationToken).ConfigureAwait(false);
        var account = _accounts.GetOrAdd(budget.User, static user => new BudgetAccount(user));
        await LoadAsync(account, force: true, cancellationToken).ConfigureAwait(false);
        return account.Status()!;
    }

    /// <summary>Removes a user's budget (the user becomes unlimited); false when it had none.</summary>
    public async Task<bool> DeleteBudgetAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var deleted = await _store.DeleteBudgetAsync(user, cancellationToken).ConfigureAwait(false);
        if (_accounts.TryGetValue(user, out var account))
        {
            await LoadAsync(account, force: true, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    private async Task FlushBrieflyAsync(CancellationToken cancellationToken)
    {
        // Records still buffered would be missed by the query; a stuck writer must not hold the request for long.
        try
        {
            await _ledger.FlushAsync(cancellationToken).WaitAsync(FlushWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private async ValueTask<BudgetAccount> AccountAsync(string user, CancellationToken cancellationToken)
    {
        var account = _accounts.GetOrAdd(user, static u => new BudgetAccount(u));
        if (account.NeedsLoad(_time.GetUtcNow(), RefreshInterval))
        {
            await LoadAsync(account, force: false, cancellationToken).ConfigureAwait(false);
        }

        return account;
    }

    private async Task LoadAsync(BudgetAccount account, bool force, CancellationToken cancellationToken)
    {
        await account.LoadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (!force && !account.NeedsLoad(now, RefreshInterval))
            {
                return; // another caller loaded it while this one waited
            }

            UserBudget? budget;
            long spent = 0;
            try
            {
                budget = await _store.GetBudgetAsync(account.User, cancellationToken).ConfigureAwait(false);
                if (budget is not null)
                {
                    await FlushBrieflyAsync(cancellationToken).ConfigureAwait(false);
                    var period = new UsageQuery { From = budget.PeriodStart(now), To = budget.ResetsAt(now), User = account.User };
                    spent = (await _ledger.QueryAsync(period, cancellationToken).ConfigureAwait(false)).Total.Credits;
                }
            }
            catch (Exception e) when (!force && account.Loaded && now < account.PeriodEnd && e is not OperationCanceledException)
            {
                // The store is down: within the same period, keep enforcing what this instance knows and try later.
                account.Postpone(now);
                return;
            }

            account.Apply(budget, spent, now);
        }
        finally
        {
            account.LoadGate.Release();
        }
    }
}
