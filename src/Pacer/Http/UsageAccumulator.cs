using Pacer.Limiting;

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

    /// <summary>Gets a value indicating whether any usage was seen.</summary>
    public readonly bool HasValue => InputTokens.HasValue || OutputTokens.HasValue;

    /// <summary>Converts what was seen to a <see cref="TokenUsage"/>; fields never seen count as 0.</summary>
    public readonly TokenUsage ToUsage() =>
        new(InputTokens ?? 0, OutputTokens ?? 0, CacheCreationInputTokens ?? 0, CacheReadInputTokens ?? 0);
}
