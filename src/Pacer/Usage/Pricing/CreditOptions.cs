using System.ComponentModel.DataAnnotations;

namespace Pacer.Usage;

/// <summary>How dollars become credits: each request's cost divided by the value of one credit, rounded up.</summary>
public sealed record CreditOptions
{
    /// <summary>The default value of one credit: one cent.</summary>
    public const decimal DefaultCreditValueUsd = 0.01m;

    /// <summary>Gets the value of one credit in US dollars.</summary>
    /// <value>The default value is 0.01 (one credit is one cent). Environment: <c>PACER_CREDIT_VALUE_USD</c>.</value>
    [Range(0.000001, 1000.0)]
    public decimal CreditValueUsd { get; init; } = DefaultCreditValueUsd;

    /// <summary>Converts one request's cost to credits, rounded up (any non-zero cost is at least one credit).</summary>
    public long ToCredits(decimal costUsd) =>
        costUsd <= 0 ? 0 : (long)decimal.Ceiling(costUsd / CreditValueUsd);
}
