using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pacer.Http;

namespace Pacer.Usage;

/// <summary>
/// Turns each request's <see cref="RequestOutcome"/> into a priced <see cref="UsageRecord"/>, appends it to the
/// ledger without blocking, and charges its credits to the user's budget when a <see cref="BudgetGuard"/> is given.
/// Register it as an <see cref="IRequestObserver"/> of the <c>PacerHandler</c>.
/// </summary>
public sealed class UsageRecorder : IRequestObserver
{
    private readonly IUsageLedger _ledger;
    private readonly CostCalculator _calculator;
    private readonly BudgetGuard? _budgets;
    private readonly ILogger _logger;

    /// <summary>Creates a recorder.</summary>
    public UsageRecorder(IUsageLedger ledger, CostCalculator calculator, BudgetGuard? budgets = null, ILogger<UsageRecorder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(calculator);
        _ledger = ledger;
        _calculator = calculator;
        _budgets = budgets;
        _logger = logger ?? NullLogger<UsageRecorder>.Instance;
    }

    /// <summary>Prices, appends and charges; never throws, never blocks.</summary>
    public void OnCompleted(RequestOutcome outcome)
    {
        try
        {
            Record(outcome);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            UsageLog.RecordFailed(_logger, e, outcome?.Endpoint ?? string.Empty);
        }
    }

    /// <summary>
    /// Prices <paramref name="outcome"/> (with the response's 5-minute/1-hour cache split when known, and the batch
    /// discount when asked), appends the record and charges it; returns the record.
    /// </summary>
    public UsageRecord Record(RequestOutcome outcome, CacheCreation? cacheCreation = null, bool batch = false)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var cost = outcome.Usage is { } usage ? _calculator.Calculate(outcome.Model, usage, cacheCreation, batch) : null;
        var record = UsageRecord.From(outcome, cost);
        _ledger.Append(record);
        _budgets?.Charge(record);
        UsageCapture.Offer(record);
        return record;
    }
}
