namespace Pacer.Simulator.Messages;

/// <summary>
/// One piece of a prompt in cache order (tools, system, messages): its canonical text (hashed for the reply seed and
/// the cache key), its token count, and the cache lifetime when the block carries <c>cache_control</c>.
/// </summary>
internal sealed record PromptPart(string Text, int Tokens, TimeSpan? CacheTtl);
