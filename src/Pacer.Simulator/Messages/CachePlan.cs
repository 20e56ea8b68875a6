namespace Pacer.Simulator.Messages;

/// <summary>What a request would read from and write to the prompt cache; committed only when the request is admitted.</summary>
internal sealed record CachePlan(InputUsage Usage, IReadOnlyList<(ulong Prefix, TimeSpan Ttl)> Touched);
