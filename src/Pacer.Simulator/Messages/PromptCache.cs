using System.Collections.Concurrent;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Messages;

/// <summary>
/// Prompt caching per API key. Each block marked <c>cache_control</c> ends a cacheable prefix (tools, system,
/// messages in that order). The longest prefix already cached is read; the prompt up to the last mark is written.
/// Prefixes shorter than the minimum are never cached.
/// </summary>
internal sealed class PromptCache(PromptCacheOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Key, ulong Prefix), DateTimeOffset> _entries = new();

    public CachePlan Plan(string keyId, Prompt prompt)
    {
        var now = time.GetUtcNow();
        var hash = Fnv.Offset;
        long tokens = 0, read = 0, written = 0;
        var writtenTtl = TimeSpan.Zero;
        var touched = new List<(ulong, TimeSpan)>();
        foreach (var part in prompt.Parts)
        {
            hash = Fnv.Add(hash, part.Text);
            tokens += part.Tokens;
            if (part.CacheTtl is not { } ttl || tokens < options.MinTokens)
            {
                continue;
            }

            var lifetime = ttl == TimeSpan.Zero ? TimeSpan.FromSeconds(options.TtlSeconds) : ttl;
            touched.Add((hash, lifetime));
            if (_entries.TryGetValue((keyId, hash), out var expires) && expires > now)
            {
                read = tokens;
            }
            else
            {
                (written, writtenTtl) = (tokens, lifetime);
            }
        }

        var creation = Math.Max(0, written - read);
        var longLived = writtenTtl >= TimeSpan.FromHours(1);
        var usage = new InputUsage(prompt.TotalTokens - read - creation, longLived ? 0 : creation, longLived ? creation : 0, read);
        return new CachePlan(usage, touched);
    }

    /// <summary>Writes and refreshes the prefixes of an admitted request.</summary>
    public void Commit(string keyId, CachePlan plan)
    {
        var now = time.GetUtcNow();
        foreach (var (prefix, ttl) in plan.Touched)
        {
            _entries[(keyId, prefix)] = now + ttl;
        }
    }

    public void Reset() => _entries.Clear();
}
