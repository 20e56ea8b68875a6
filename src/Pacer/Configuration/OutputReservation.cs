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

    /// <summary>
    /// The estimate, until the upstream shows that it reserves <c>max_tokens</c> when a request arrives (a 429 whose
    /// headers only that accounting explains); from then on that (key, model class) reserves <c>max_tokens</c> (<c>auto</c>).
    /// </summary>
    Auto = 2,
}
