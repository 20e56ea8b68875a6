namespace Pacer.Simulator.Messages;

/// <summary>A request's prompt read into parts, with its total token count as <c>count_tokens</c> reports it.</summary>
internal sealed class Prompt(IReadOnlyList<PromptPart> parts, int overheadTokens)
{
    public IReadOnlyList<PromptPart> Parts { get; } = parts;

    /// <summary>Every input token: parts plus framing (per request and per message).</summary>
    public long TotalTokens { get; } = overheadTokens + parts.Sum(p => (long)p.Tokens);

    /// <summary>Framing tokens not in any part (counted as uncached input).</summary>
    public int OverheadTokens { get; } = overheadTokens;

    /// <summary>A 64-bit fingerprint of the whole prompt, the seed of its reply.</summary>
    public ulong Fingerprint()
    {
        var hash = Fnv.Offset;
        foreach (var part in Parts)
        {
            hash = Fnv.Add(hash, part.Text);
        }

        return hash;
    }
}
