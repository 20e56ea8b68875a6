using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Anthropic;

/// <summary>
/// Sits before the <see cref="PacerHandler"/>: labels each request with the tracked call's user and endpoint and,
/// when budgets apply, reserves the most the request can cost (estimated input plus <c>max_tokens</c> of output)
/// before it is sent, so a request that would pass the budget never leaves. The body is read and estimated once, into
/// the request's <see cref="PacerRequestContext"/>, which the <see cref="PacerHandler"/> then reuses.
/// </summary>
internal sealed class TrackedCallHandler(Limiter limiter, CostCalculator calculator, BudgetGuard? budgets) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (TrackedCall.Current is { } call)
        {
            request.Options.Set(PacerRequestOptions.User, call.User);
            request.Options.Set(PacerRequestOptions.Endpoint, call.Endpoint);
            if (budgets is not null && call.Reservation is null)
            {
                var context = await request.PreparePacerContextAsync(limiter, cancellationToken).ConfigureAwait(false);
                call.Reservation = await context.ReserveBudgetAsync(budgets, calculator, call.User, cancellationToken).ConfigureAwait(false);
            }
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
