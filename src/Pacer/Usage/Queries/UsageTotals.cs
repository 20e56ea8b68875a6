namespace Pacer.Usage;

/// <summary>The totals of one group (or of the whole range): requests, tokens by kind, cost and credits.</summary>
public sealed record UsageTotals
{
    /// <summary>Gets the user of the group, when grouped by user.</summary>
    public string? User { get; init; }

    /// <summary>Gets the endpoint of the group, when grouped by endpoint.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Gets the model of the group, when grouped by model.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the UTC day of the group, when grouped by day.</summary>
    public DateOnly? Day { get; init; }

    /// <summary>Gets the requests.</summary>
    public long Requests { get; init; }

    /// <summary>Gets the requests whose final status was not 2xx.</summary>
    public long FailedRequests { get; init; }

    /// <summary>Gets the requests whose cost is unknown (model not in the price book); their cost is not in <see cref="CostUsd"/>.</summary>
    public long UnpricedRequests { get; init; }

    /// <summary>Gets the input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the tokens written to the 5-minute cache.</summary>
    public long CacheWrite5mTokens { get; init; }

    /// <summary>Gets the tokens written to the 1-hour cache.</summary>
    public long CacheWrite1hTokens { get; init; }

    /// <summary>Gets the tokens read from the cache.</summary>
    public long CacheReadTokens { get; init; }

    /// <summary>Gets the cost of the priced requests in USD.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets the credits charged.</summary>
    public long Credits { get; init; }

    internal UsageTotals Add(UsageTotals other) => this with
    {
        Requests = Requests + other.Requests,
        FailedRequests = FailedRequests + other.FailedRequests,
        UnpricedRequests = UnpricedRequests + other.UnpricedRequests,
        InputTokens = InputTokens + other.InputTokens,
        OutputTokens = OutputTokens + other.OutputTokens,
        CacheWrite5mTokens = CacheWrite5mTokens + other.CacheWrite5mTokens,
        CacheWrite1hTokens = CacheWrite1hTokens + other.CacheWrite1hTokens,
        CacheReadTokens = CacheReadTokens + other.CacheReadTokens,
        CostUsd = CostUsd + other.CostUsd,
        Credits = Credits + other.Credits,
    };
}
