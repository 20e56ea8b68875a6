using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Anthropic;

/// <summary>
/// Sits before the <see cref="PacerHandler"/>: labels each request with the tracked call's user and endpoint and,
/// when budgets apply, reserves the most the request can cost (estimated input plus <c>max_tokens</c> of output)
/// before it is sent, so a request that would pass the budget never leaves.
/// </summary>
internal sealed class TrackedCallHandler(InputTokenEstimator estimator, CostCalculator calculator, BudgetGuard? budgets) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (TrackedCall.Current is { } call)
        {
            request.Options.Set(PacerRequestOptions.User, call.User);
            request.Options.Set(PacerRequestOptions.Endpoint, call.Endpoint);
            if (budgets is not null && call.Reservation is null && request.Content is not null)
            {
                var body = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var facts = RequestFacts.Read(body);
                var estimate = estimator.Estimate(facts.Model, body);
                PreparedBody.Attach(request, body, facts, estimate);
                var cost = new RequestCost(estimate.Tokens, facts.MaxTokens);
                call.Reservation = await budgets.ReserveAsync(call.User, calculator.EstimateCredits(facts.Model, cost) ?? 0, cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
