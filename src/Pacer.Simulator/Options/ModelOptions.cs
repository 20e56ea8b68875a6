namespace Pacer.Simulator.Options;

/// <summary>One model the simulator serves: its names, its pool, its output ceiling and its prices.</summary>
public sealed class ModelOptions
{
    /// <summary>The model id, for example <c>claude-sonnet-4-5-20250929</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>Other names accepted for this model, for example <c>claude-sonnet-4-5</c>.</summary>
    public IList<string> Aliases { get; set; } = [];

    /// <summary>The name shown by <c>GET /v1/models</c>.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>The release date shown by <c>GET /v1/models</c>.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The model line (opus, sonnet, haiku), or null.</summary>
    public string? Line { get; set; }

    /// <summary>The pool whose buckets this model shares, for example <c>sonnet-4</c>.</summary>
    public string Pool { get; set; } = "";

    /// <summary>Largest accepted <c>max_tokens</c>. <value>The default is 64000.</value></summary>
    public int MaxOutputTokens { get; set; } = 64_000;

    /// <summary>Context window in tokens. <value>The default is 200000.</value></summary>
    public int ContextWindow { get; set; } = 200_000;

    /// <summary>USD per million input tokens (cache writes cost 1.25×, cache reads 0.1×).</summary>
    public decimal InputPricePerMillion { get; set; }

    /// <summary>USD per million output tokens.</summary>
    public decimal OutputPricePerMillion { get; set; }

    /// <summary>Whether cache reads count toward the input-tokens limit (true for Claude 3.x models).</summary>
    public bool CacheReadsCountTowardInput { get; set; }
}
