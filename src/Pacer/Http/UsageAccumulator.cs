using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Http;

/// <summary>
/// The usage seen so far in a response. For a stream, <c>message_start</c> gives the input side and
/// each <c>message_delta</c> gives cumulative counts; a later value of a field replaces an earlier one.
/// </summary>
internal struct UsageAccumulator
{
    public int? InputTokens { get; set; }

    public int? OutputTokens { get; set; }

    public int? CacheCreationInputTokens { get; set; }

    public int? CacheReadInputTokens { get; set; }

    /// <summary>Gets or sets <c>cache_creation.ephemeral_5m_input_tokens</c>; null until a <c>cache_creation</c> object is seen.</summary>
    public int? CacheWrite5mInputTokens { get; set; }

    /// <summary>Gets or sets <c>cache_creation.ephemeral_1h_input_tokens</c>; null until a <c>cache_creation</c> object is seen.</summary>
    public int? CacheWrite1hInputTokens { get; set; }

    /// <summary>Gets a value indicating whether any usage was seen.</summary>
    public readonly bool HasValue => InputTokens.HasValue || OutputTokens.HasValue;

    /// <summary>Converts what was seen to a <see cref="TokenUsage"/>; fields never seen count as 0.</summary>
    public readonly TokenUsage ToUsage() =>
        new(InputTokens ?? 0, OutputTokens ?? 0, CacheCreationInputTokens ?? 0, CacheReadInputTokens ?? 0);

    /// <summary>Gets the split of cache writes by lifetime, or null when the response gave none (all writes are then 5-minute writes).</summary>
    public readonly CacheCreation? ToCacheCreation() =>
        CacheWrite5mInputTokens.HasValue || CacheWrite1hInputTokens.HasValue
            ? new CacheCreation(CacheWrite5mInputTokens ?? 0, CacheWrite1hInputTokens ?? 0)
            : null;
}
