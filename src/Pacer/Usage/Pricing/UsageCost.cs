using Pacer.Limiting;

namespace Pacer.Usage;

/// <summary>
/// The priced usage of one request. When the model is not in the price book, <see cref="Price"/> and every cost
/// are null: the tokens are kept, the cost is unknown, never guessed.
/// </summary>
public sealed record UsageCost
{
    /// <summary>Gets the model as the request named it.</summary>
    public required string Model { get; init; }

    /// <summary>Gets the prices applied, or null when the model is unknown.</summary>
    public ModelPrice? Price { get; init; }

    /// <summary>Gets the tokens as the response reported them.</summary>
    public required TokenUsage Usage { get; init; }

    /// <summary>Gets the cache writes priced at the 5-minute rate.</summary>
    public required int CacheWrite5mTokens { get; init; }

    /// <summary>Gets the cache writes priced at the 1-hour rate.</summary>
    public required int CacheWrite1hTokens { get; init; }

    /// <summary>Gets a value indicating whether the Message Batches discount applied.</summary>
    public bool Batch { get; init; }

    /// <summary>Gets the cost of the input tokens in USD.</summary>
    public decimal? InputCost { get; init; }

    /// <summary>Gets the cost of the output tokens in USD.</summary>
    public decimal? OutputCost { get; init; }

    /// <summary>Gets the cost of the 5-minute cache writes in USD.</summary>
    public decimal? CacheWrite5mCost { get; init; }

    /// <summary>Gets the cost of the 1-hour cache writes in USD.</summary>
    public decimal? CacheWrite1hCost { get; init; }

    /// <summary>Gets the cost of the cache reads in USD.</summary>
    public decimal? CacheReadCost { get; init; }

    /// <summary>Gets the total cost in USD, or null when the model is unknown.</summary>
    public decimal? TotalCost { get; init; }

    /// <summary>Gets the credits charged (cost divided by the credit value, rounded up), or null when unknown.</summary>
    public long? Credits { get; init; }

    /// <summary>Gets a value indicating whether the model was priced.</summary>
    public bool IsPriced => Price is not null;
}
