namespace Pacer.Usage;

/// <summary>
/// One user's standing in the current period, kept in memory by <see cref="BudgetGuard"/>: the credits spent
/// (loaded from the ledger, then charged record by record) and the credits reserved by requests in flight.
/// Every field is guarded by the account itself (lock), except loading, which <see cref="LoadGate"/> serializes.
/// </summary>
internal sealed class BudgetAccount(string user)
{
    public string User { get; } = user;

    public SemaphoreSlim LoadGate { get; } = new(1, 1);

    public bool Loaded { get; set; }

    public UserBudget? Budget { get; set; }

    public DateTimeOffset PeriodStart { get; set; }

    public DateTimeOffset PeriodEnd { get; set; }

    public DateTimeOffset RefreshedAt { get; set; }

    public long Spent { get; set; }

    public long Reserved { get; set; }

    /// <summary>Gets or sets the generation of <see cref="Reserved"/>; a new period starts a new one, and older reservations release nothing.</summary>
    public long Epoch { get; set; }

    public bool NeedsLoad(DateTimeOffset now, TimeSpan refreshInterval)
    {
        lock (this)
        {
            return !Loaded || (Budget is not null && now >= PeriodEnd) || now - RefreshedAt >= refreshInterval;
        }
    }

    /// <summary>Takes what the store says; within the same period the larger spend wins, so nothing charged here is lost.</summary>
    public void Apply(UserBudget? budget, long storedSpent, DateTimeOffset now)
    {
        lock (this)
        {
            var start = budget?.PeriodStart(now) ?? default;
            var samePeriod = Loaded && Budget is not null && budget is not null && Budget.Period == budget.Period && PeriodStart == start;
            if (samePeriod)
            {
                Spent = Math.Max(Spent, storedSpent);
            }
            else
            {
                Spent = storedSpent;
                Reserved = 0;
                Epoch++;
            }

            Budget = budget;
            PeriodStart = start;
            PeriodEnd = budget?.ResetsAt(now) ?? DateTimeOffset.MaxValue;
            RefreshedAt = now;
            Loaded = true;
        }
    }

    /// <summary>Keeps what is known and tries the store again after another refresh interval.</summary>
    public void Postpone(DateTimeOffset now)
    {
        lock (this)
        {
            RefreshedAt = now;
        }
    }

    /// <summary>Returns a reservation's hold, unless a new period has begun since it was taken.</summary>
    public void Release(long credits, long epoch)
    {
        lock (this)
        {
            if (Epoch == epoch)
            {
                Reserved = Math.Max(0, Reserved - credits);
            }
        }
    }

    public BudgetStatus? Status()
    {
        lock (this)
        {
            return Budget is null
                ? null
                : new BudgetStatus { Budget = Budget, Spent = Spent, Reserved = Reserved, PeriodStart = PeriodStart, ResetsAt = PeriodEnd };
        }
    }
}
