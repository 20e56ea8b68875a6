using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>The in-memory numbers of one (key, model class): learned budgets, operator token budgets, cooldown, learned output accounting.</summary>
internal sealed class BucketState(BucketKey key)
{
    public BucketKey Key { get; } = key;

    public LearnedBudget Requests;

    public LearnedBudget InputTokens;

    public LearnedBudget OutputTokens;

    public TokenBucket OperatorInput;

    public TokenBucket OperatorOutput;

    public long CooldownUntil = long.MinValue;

    public bool ReservesMaxTokens;

    public long LastUsed;

    public bool IsLearned => Requests.IsKnown || InputTokens.IsKnown || OutputTokens.IsKnown;

    /// <summary>
    /// Gets a value indicating whether forgetting this state loses nothing that still matters: no learned limit or
    /// accounting, no cooldown, and unused for five minutes (by then operator token budgets have refilled).
    /// </summary>
    public bool IsIdle(long now) =>
        !IsLearned && !ReservesMaxTokens && CooldownUntil <= now && now - LastUsed >= 5 * TimeSpan.TicksPerMinute;

    /// <summary>Gets a value indicating whether a budget of the bucket refills with time under <paramref name="policy"/>.</summary>
    public bool Refills(PacerOptions policy) => IsLearned || policy.InputTokensPerMinute > 0 || policy.OutputTokensPerMinute > 0;

    public void Refill(PacerOptions policy, long now)
    {
        Requests.Refill(now);
        InputTokens.Refill(now);
        OutputTokens.Refill(now);
        if (policy.InputTokensPerMinute > 0)
        {
            OperatorInput.Refill(policy.InputTokensPerMinute, now);
        }

        if (policy.OutputTokensPerMinute > 0)
        {
            OperatorOutput.Refill(policy.OutputTokensPerMinute, now);
        }
    }
}
