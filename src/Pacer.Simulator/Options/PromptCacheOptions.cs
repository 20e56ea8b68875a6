namespace Pacer.Simulator.Options;

/// <summary>
/// Prompt caching: the prompt up to the last block marked <c>cache_control</c> is written to the cache on first use
/// (<c>cache_creation_input_tokens</c>) and read from it afterwards (<c>cache_read_input_tokens</c>), per API key.
/// </summary>
public sealed class PromptCacheOptions
{
    /// <summary>Smallest cacheable prefix in tokens; shorter prefixes are not cached. <value>The default is 1024.</value></summary>
    public int MinTokens { get; set; } = 1024;

    /// <summary>How long an entry lives after its last use, in seconds (<c>ttl: "1h"</c> blocks live 3600). <value>The default is 300.</value></summary>
    public int TtlSeconds { get; set; } = 300;
}
