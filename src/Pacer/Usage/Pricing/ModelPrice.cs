namespace Pacer.Usage;

/// <summary>The prices of one model family, in US dollars per million tokens.</summary>
public sealed record ModelPrice
{
    /// <summary>Gets the family name, for example <c>sonnet</c>.</summary>
    public required string Family { get; init; }

    /// <summary>Gets a human description, for example <c>Claude Sonnet 4.x, 3.7 and 3.5</c>.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Gets the model ids of the family without date suffix (dated ids such as <c>-20241022</c> map to them).</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>Gets the price of one million input tokens.</summary>
    public required decimal Input { get; init; }

    /// <summary>Gets the price of one million output tokens.</summary>
    public required decimal Output { get; init; }

    /// <summary>Gets the price of one million tokens written to the 5-minute cache (the API's default TTL).</summary>
    public required decimal CacheWrite5m { get; init; }

    /// <summary>Gets the price of one million tokens written to the 1-hour cache.</summary>
    public required decimal CacheWrite1h { get; init; }

    /// <summary>Gets the price of one million tokens read from the cache.</summary>
    public required decimal CacheRead { get; init; }
}
