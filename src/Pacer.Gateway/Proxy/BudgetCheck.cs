using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Gateway.Proxy;

/// <summary>
/// Holds a user's credit budget for a Messages request before it is sent: the most it can cost (estimated input
/// tokens plus <c>max_tokens</c>) is reserved, and the hold is released when the request ends, by which time the usage
/// recorder has charged what it really cost. A user without a budget is unlimited.
/// </summary>
internal sealed class BudgetCheck(BudgetGuard guard, CostCalculator costs, Limiter limiter)
{
    /// <summary>Estimates the request's input tokens, once for the whole gateway: the engine's handler reuses the estimate.</summary>
    public InputEstimate Estimate(RequestFacts facts, byte[] body) => limiter.Estimator.Estimate(facts.Model, body);

    /// <summary>Reserves the request's worst-case credits; throws <see cref="BudgetExceededException"/> when the budget cannot cover them.</summary>
    public async ValueTask<BudgetReservation> ReserveAsync(string user, RequestFacts facts, InputEstimate input, CancellationToken cancellationToken)
    {
        var credits = costs.EstimateCredits(facts.Model, new RequestCost(input.Tokens, facts.MaxTokens)) ?? 0;
        return await guard.ReserveAsync(user, credits, cancellationToken).ConfigureAwait(false);
    }
}
