using System.Collections.Concurrent;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Limits;

/// <summary>What each API key spent this UTC month, against the optional monthly cap.</summary>
internal sealed class SpendMeter(SpendOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);

    public bool Enabled => options.MonthlyCapUsd > 0;

    /// <summary>Whether the key has reached the cap this month.</summary>
    public bool IsCapped(string keyId) => Enabled && Spent(keyId) >= options.MonthlyCapUsd;

    /// <summary>USD spent by the key this month.</summary>
    public decimal Spent(string keyId)
    {
        var account = _accounts.GetOrAdd(keyId, _ => new Account());
        lock (account)
        {
            Roll(account);
            return account.Usd;
        }
    }

    /// <summary>Adds the cost of one answered request.</summary>
    public void Add(string keyId, decimal usd)
    {
        var account = _accounts.GetOrAdd(keyId, _ => new Account());
        lock (account)
        {
            Roll(account);
            account.Usd += usd;
        }
    }

    public void Reset() => _accounts.Clear();

    /// <summary>The price of a request under the catalog's prices (cache writes 1.25×, cache reads 0.1× input).</summary>
    public static decimal Cost(ModelOptions model, long input, long cacheWrite, long cacheRead, long output) =>
        ((input + (cacheWrite * 1.25m) + (cacheRead * 0.1m)) * model.InputPricePerMillion / 1_000_000m)
        + (output * model.OutputPricePerMillion / 1_000_000m);

    private void Roll(Account account)
    {
        var now = time.GetUtcNow();
        var month = (now.Year * 12) + now.Month;
        if (account.Month != month)
        {
            account.Month = month;
            account.Usd = 0;
        }
    }

    private sealed class Account
    {
        public int Month { get; set; }

        public decimal Usd { get; set; }
    }
}
