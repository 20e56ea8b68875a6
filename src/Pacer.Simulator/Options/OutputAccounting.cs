namespace Pacer.Simulator.Options;

/// <summary>How output tokens count against the output-tokens-per-minute bucket.</summary>
public enum OutputAccounting
{
    /// <summary>Reserve <c>max_tokens</c> at admission and refund the unused part at the end (early 2025 docs).</summary>
    Reserve,

    /// <summary>Count only tokens actually produced, as they are produced (2026 docs); admission needs a non-empty bucket.</summary>
    Actual,
}
