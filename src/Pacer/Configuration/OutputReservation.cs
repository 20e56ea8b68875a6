namespace Pacer.Configuration;

/// <summary>What a request holds against a learned upstream output-token budget while it runs.</summary>
public enum OutputReservation
{
    /// <summary>Its whole <c>max_tokens</c> (<c>max_tokens</c>): safe whether the API counts output as reserved or as produced.</summary>
    MaxTokens = 0,

    /// <summary>
    /// The smaller of its <c>max_tokens</c> and an estimate calibrated per model from the <c>usage.output_tokens</c>
    /// that come back (<c>estimate</c>); completion charges the real output. Operator budgets still reserve <c>max_tokens</c>.
    /// </summary>
    Estimate = 1,
}
